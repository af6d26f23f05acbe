// Convolutions through im2col + matmul (stride 2, a 1x1 kernel, dilation 2)
// against a direct numpy convolution in float64.
// RUN: tcc %s -o %t.so
// RUN: %tcc_python %S/Inputs/conv_reference.py %t
// RUN: env TCC_NUM_THREADS=2 tcc-run %t.so --input %t.x.npy --input %t.w.npy --compare %t.ref0.npy --compare %t.ref1.npy --compare %t.ref2.npy --atol 1e-4 --rtol 1e-4 | FileCheck %s
// CHECK: output 'output0': {{.*}} 0 of 2048 outside {{.*}}: ok
// CHECK: output 'output1': {{.*}} 0 of 10368 outside {{.*}}: ok
// CHECK: output 'output2': {{.*}} 0 of 6272 outside {{.*}}: ok

func.func @main(%x: tensor<1x16x18x18xf32>, %w: tensor<32x16x3x3xf32>)
    -> (tensor<1x32x8x8xf32>, tensor<1x32x18x18xf32>, tensor<1x32x14x14xf32>) {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x32x8x8xf32>
  %f0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
  %c0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
    ins(%x, %w : tensor<1x16x18x18xf32>, tensor<32x16x3x3xf32>) outs(%f0 : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>

  %w1 = tensor.extract_slice %w[0, 0, 1, 1] [32, 16, 1, 1] [1, 1, 1, 1] : tensor<32x16x3x3xf32> to tensor<32x16x1x1xf32>
  %e1 = tensor.empty() : tensor<1x32x18x18xf32>
  %f1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x32x18x18xf32>) -> tensor<1x32x18x18xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
    ins(%x, %w1 : tensor<1x16x18x18xf32>, tensor<32x16x1x1xf32>) outs(%f1 : tensor<1x32x18x18xf32>) -> tensor<1x32x18x18xf32>

  %e2 = tensor.empty() : tensor<1x32x14x14xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x32x14x14xf32>) -> tensor<1x32x14x14xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<2> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
    ins(%x, %w : tensor<1x16x18x18xf32>, tensor<32x16x3x3xf32>) outs(%f2 : tensor<1x32x14x14xf32>) -> tensor<1x32x14x14xf32>
  return %c0, %c1, %c2 : tensor<1x32x8x8xf32>, tensor<1x32x18x18xf32>, tensor<1x32x14x14xf32>
}
