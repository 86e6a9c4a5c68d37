# SPDX-License-Identifier: Apache-2.0
# The README's model example must be the code between the [readme-example]
# markers of examples/edges/main.cpp, which is compiled and run as a test.
file(READ ${SOURCE}/README.md readme)
file(READ ${SOURCE}/examples/edges/main.cpp example)
string(REGEX MATCH "## A model written as a C\\+\\+ type\n\n```cpp\n([^`]*)```" _ "${readme}")
set(in_readme "${CMAKE_MATCH_1}")
string(REGEX MATCH "// \\[readme-example\\]\n(.*)// \\[readme-example\\]" _ "${example}")
set(in_example "${CMAKE_MATCH_1}")
if(in_readme STREQUAL "" OR NOT in_readme STREQUAL in_example)
  message(FATAL_ERROR "README.md's example differs from examples/edges/main.cpp:\n--- README\n${in_readme}\n--- example\n${in_example}")
endif()
