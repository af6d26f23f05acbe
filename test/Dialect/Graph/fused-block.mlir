// RUN: tcc-opt %s -split-input-file | tcc-opt -split-input-file | FileCheck %s
// RUN: tcc-opt %s -split-input-file --mlir-print-op-generic | tcc-opt -split-input-file | FileCheck %s
// graph.fused_block holds its member ops in a region whose arguments are
// the block's inputs; weights are used from above.

// CHECK-LABEL: func.func @inverted_residual
//       CHECK:   %[[W:.*]] = graph.constant
//       CHECK:   %[[R:.*]] = graph.fused_block "inverted_residual" ins(%arg0 : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
//       CHECK:   ^bb0(%[[IN:.*]]: tensor<1x4x6x6xf32>):
//       CHECK:     %[[E:.*]] = graph.conv %[[IN]], %[[W]]
//       CHECK:     graph.clip %[[E]]
//       CHECK:     graph.yield %{{.*}} : tensor<1x4x6x6xf32>
//       CHECK:   }
//       CHECK:   return %[[R]]
func.func @inverted_residual(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %we = graph.constant dense<1.0> : tensor<8x4x1x1xf32>
  %wd = graph.constant dense<1.0> : tensor<8x1x3x3xf32>
  %wp = graph.constant dense<1.0> : tensor<4x8x1x1xf32>
  %r = graph.fused_block "inverted_residual" ins(%x : tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  ^bb0(%in: tensor<1x4x6x6xf32>):
    %e = graph.conv %in, %we : (tensor<1x4x6x6xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x6x6xf32>
    %a = graph.clip %e {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x8x6x6xf32>
    %d = graph.conv %a, %wd {group = 8 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x6x6xf32>
    %p = graph.conv %d, %wp : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
    %s = graph.add %in, %p : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32> -> tensor<1x4x6x6xf32>
    graph.yield %s : tensor<1x4x6x6xf32>
  }
  return %r : tensor<1x4x6x6xf32>
}
