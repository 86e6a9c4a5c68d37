// SPDX-License-Identifier: Apache-2.0
// weft: int8 and float32 neural networks as C++ types, planned at compile
// time. Include this header to describe, compile and run a model.
#pragma once

#include "weft/core/dtype.hpp"
#include "weft/core/error.hpp"
#include "weft/core/fixed_point.hpp"
#include "weft/core/shape.hpp"
#include "weft/core/tensor_spec.hpp"
#include "weft/core/view.hpp"
#include "weft/exec/executor.hpp"
#include "weft/exec/program.hpp"
#include "weft/graph/graph.hpp"
#include "weft/ops/registry.hpp"
#include "weft/plan/memory.hpp"
#include "weft/plan/profile.hpp"
#include "weft/plan/schedule.hpp"
#include "weft/plan/tiling.hpp"
