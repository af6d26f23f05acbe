"""Builds the benchmark and test models as ONNX graphs with seeded random weights.

    build/venv/bin/python python/models.py --out build/models            # full size
    build/venv/bin/python python/models.py --small --out test/models     # CI variants

The graphs follow the operator patterns `torch.onnx.export` writes for the
same architectures (opset 17): Conv + BatchNormalization + Relu stems and
residual Adds for ResNet; Clip(0, 6) for MobileNetV2's ReLU6; HardSwish and
HardSigmoid-gated squeeze-excite for MobileNetV3; SiLU as Sigmoid + Mul and
squeeze-excite for EfficientNet; pre-activation BatchNormalization and
growing Concats for DenseNet; Fire modules and ceil-mode MaxPool for
SqueezeNet; for the
transformers, Gather embeddings, LayerNormalization, MatMul + Add projections,
Reshape/Transpose head splits, scaled Softmax attention with an additive mask,
and GELU written out with Erf (BERT, ViT) or the tanh form with Pow (GPT-2).
GPT-2 also comes as a decode step with past key/value inputs and present
outputs. The LLaMA-style decoder has RMSNorm written out (Pow, ReduceMean,
Sqrt, Div), rotary embeddings (Slice, Neg, Concat), grouped KV heads repeated
with Unsqueeze/Expand/Reshape and a SwiGLU MLP; ViT a strided patch
convolution, a class token and a Gather of it for the classifier.
The YOLOv8-style detector has Conv (BatchNorm folded) + SiLU as Sigmoid + Mul,
C2f blocks (Split, bottlenecks, Concat), SPPF (chained 5x5 MaxPools), nearest
Resize by scales in its FPN/PAN neck and a three-scale head reshaped to
[1, C, H*W], concatenated, DFL-decoded (Softmax, 1x1 Conv) and Sigmoid-gated.
The recurrent encoders are a Gather embedding, two bidirectional GRU
(linear_before_reset=1) or LSTM nodes joined by Transpose/Reshape, and a
per-token MatMul + Add head.
The routed decoders (`gpt2_routed`, `llama_routed`; docs/routing.md) run
over a fixed-size KV cache with tcc.LayerRouter and tcc.TokenRouter nodes of
tcc's own domain; `expand_routers` writes those in standard ONNX for ONNX
Runtime. They are built by the tests and bench/routing.py, not listed below.
The Mixtral-style decoder (`mixtral`) has a mixture of SwiGLU experts in the
dense-masked form exports write (every expert on every token, weighted by a
[tokens, experts] mask scattered from the router's TopK; `dense_moe`), with
optional MoE++ zero-computation experts; it is built by the tests and
bench/moe.py.
The `_int8` models are these quantized by ONNX Runtime's own quantizer, as
users make them: `quantize_dynamic` (DynamicQuantizeLinear + MatMulInteger,
int8 weights) for the transformers, `quantize_static` in the QDQ format
(QuantizeLinear/DequantizeLinear pairs around float ops, calibrated on 8
seeded random inputs) for the CNNs. The `_int4` models have their MatMul
weights quantized to 4 bits in blocks by its weight-only quantizer, QDQ form.
torch is not needed; the script needs onnx and numpy (and onnxruntime for the
`_int8` and `_int4` models).
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class GraphBuilder:
    """Accumulates nodes and initializers with unique names."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, value, prefix="const"):
        name = self.name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def weight(self, shape, prefix, scale=None):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        scale = scale if scale is not None else 1.0 / np.sqrt(max(fan_in, 1))
        return self.const((self.rng.standard_normal(shape) * scale).astype(np.float32), prefix)

    def op(self, op_type, inputs, outputs=1, prefix=None, **attrs):
        names = [self.name((prefix or op_type).lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names,
                                           name=f"/{prefix or op_type}_{self.count}", **attrs))
        return names[0] if outputs == 1 else names

    def model(self, graph_name, inputs, outputs, opset=17):
        graph = helper.make_graph(self.nodes, graph_name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                                  producer_name="tcc-models")
        model.ir_version = 8
        return model


# ---------------------------------------------------------------------------
# CNNs
# ---------------------------------------------------------------------------

def conv_bn(g, x, cin, cout, kernel, stride=1, groups=1, act="relu", prefix="conv"):
    pad = kernel // 2
    w = g.weight((cout, cin // groups, kernel, kernel), prefix + ".weight")
    y = g.op("Conv", [x, w], prefix="Conv", kernel_shape=[kernel, kernel],
             strides=[stride, stride], pads=[pad] * 4, group=groups, dilations=[1, 1])
    bn = [g.const(g.rng.uniform(0.5, 1.5, cout).astype(np.float32), "bn.weight"),
          g.const((g.rng.standard_normal(cout) * 0.1).astype(np.float32), "bn.bias"),
          g.const((g.rng.standard_normal(cout) * 0.1).astype(np.float32), "bn.running_mean"),
          g.const(g.rng.uniform(0.5, 1.5, cout).astype(np.float32), "bn.running_var")]
    y = g.op("BatchNormalization", [y] + bn, prefix="BatchNormalization", epsilon=1e-5)
    return activation(g, y, act)


def activation(g, y, act):
    if act == "relu":
        return g.op("Relu", [y])
    if act == "relu6":
        return g.op("Clip", [y, g.const(np.float32(0)), g.const(np.float32(6))])
    if act == "silu":  # torch exports SiLU as x * sigmoid(x)
        return g.op("Mul", [y, g.op("Sigmoid", [y])])
    if act == "hardswish":
        return g.op("HardSwish", [y])
    return y


def classifier(g, x, channels, classes, prefix="classifier"):
    x = g.op("GlobalAveragePool", [x])
    x = g.op("Flatten", [x], axis=1)
    return g.op("Gemm", [x, g.weight((classes, channels), prefix + ".weight"),
                         g.const(np.zeros(classes, np.float32), prefix + ".bias")], transB=1)


def image_model(g, name, x, image, classes):
    return g.model(name,
                   [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, image, image])],
                   [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, classes])])


def resnet(stages=(3, 4, 6, 3), widths=(64, 128, 256, 512), image=224, classes=1000, seed=0):
    """ResNet-50 shape by default (bottleneck blocks, expansion 4)."""
    g = GraphBuilder(seed)
    x = conv_bn(g, "input", 3, widths[0], 7, stride=2, prefix="conv1")
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = widths[0]
    for stage, (blocks, width) in enumerate(zip(stages, widths)):
        for block in range(blocks):
            stride = 2 if block == 0 and stage > 0 else 1
            cout = width * 4
            y = conv_bn(g, x, cin, width, 1)
            y = conv_bn(g, y, width, width, 3, stride=stride)
            y = conv_bn(g, y, width, cout, 1, act=None)
            shortcut = x
            if block == 0:
                shortcut = conv_bn(g, x, cin, cout, 1, stride=stride, act=None)
            x = g.op("Relu", [g.op("Add", [y, shortcut])])
            cin = cout
    x = g.op("GlobalAveragePool", [x])
    x = g.op("Flatten", [x], axis=1)
    x = g.op("Gemm", [x, g.weight((classes, cin), "fc.weight"),
                      g.const(np.zeros(classes, np.float32), "fc.bias")],
             alpha=1.0, beta=1.0, transB=1)
    return g.model("resnet",
                   [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, image, image])],
                   [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, classes])])


def mobilenet_v2(width=1.0, image=224, classes=1000, seed=0):
    g = GraphBuilder(seed)
    setting = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
               (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    channels = lambda c: max(8, int(c * width + 4) // 8 * 8)
    cin = channels(32)
    x = conv_bn(g, "input", 3, cin, 3, stride=2, act="relu6")
    for expand, c, repeats, stride in setting:
        cout = channels(c)
        for i in range(repeats):
            s = stride if i == 0 else 1
            hidden = cin * expand
            y = x if expand == 1 else conv_bn(g, x, cin, hidden, 1, act="relu6")
            y = conv_bn(g, y, hidden, hidden, 3, stride=s, groups=hidden, act="relu6")
            y = conv_bn(g, y, hidden, cout, 1, act=None)
            x = g.op("Add", [x, y]) if s == 1 and cin == cout else y
            cin = cout
    last = channels(1280) if width > 1.0 else 1280
    x = conv_bn(g, x, cin, last, 1, act="relu6")
    x = g.op("GlobalAveragePool", [x])
    x = g.op("Flatten", [x], axis=1)
    x = g.op("Gemm", [x, g.weight((classes, last), "classifier.weight"),
                      g.const(np.zeros(classes, np.float32), "classifier.bias")], transB=1)
    return g.model("mobilenet_v2",
                   [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, image, image])],
                   [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, classes])])


def squeeze_excite(g, x, channels, squeezed, gate, act="relu", prefix="se"):
    """GlobalAveragePool, two 1x1 convs, a gate scaling the channels."""
    s = g.op("GlobalAveragePool", [x])
    s = g.op("Conv", [s, g.weight((squeezed, channels, 1, 1), prefix + ".fc1.weight"),
                      g.const(np.zeros(squeezed, np.float32), prefix + ".fc1.bias")],
             kernel_shape=[1, 1])
    s = activation(g, s, act)
    s = g.op("Conv", [s, g.weight((channels, squeezed, 1, 1), prefix + ".fc2.weight"),
                      g.const(np.full(channels, 0.5, np.float32), prefix + ".fc2.bias")],
             kernel_shape=[1, 1])
    s = g.op(gate, [s])
    return g.op("Mul", [x, s])


def make_divisible(v, divisor=8):
    rounded = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * v else rounded


def mobilenet_v3(width=1.0, head=1280, image=224, classes=1000, seed=0):
    """MobileNetV3-Large: HardSwish, squeeze-excite gated by HardSigmoid."""
    g = GraphBuilder(seed)
    setting = [(3, 16, 16, False, "relu", 1), (3, 64, 24, False, "relu", 2),
               (3, 72, 24, False, "relu", 1), (5, 72, 40, True, "relu", 2),
               (5, 120, 40, True, "relu", 1), (5, 120, 40, True, "relu", 1),
               (3, 240, 80, False, "hardswish", 2), (3, 200, 80, False, "hardswish", 1),
               (3, 184, 80, False, "hardswish", 1), (3, 184, 80, False, "hardswish", 1),
               (3, 480, 112, True, "hardswish", 1), (3, 672, 112, True, "hardswish", 1),
               (5, 672, 160, True, "hardswish", 2), (5, 960, 160, True, "hardswish", 1),
               (5, 960, 160, True, "hardswish", 1)]
    cin = make_divisible(16 * width)
    x = conv_bn(g, "input", 3, cin, 3, stride=2, act="hardswish")
    for kernel, expanded, out, se, act, stride in setting:
        hidden, cout = make_divisible(expanded * width), make_divisible(out * width)
        y = x if hidden == cin else conv_bn(g, x, cin, hidden, 1, act=act)
        y = conv_bn(g, y, hidden, hidden, kernel, stride=stride, groups=hidden, act=act)
        if se:
            y = squeeze_excite(g, y, hidden, make_divisible(hidden // 4), "HardSigmoid")
        y = conv_bn(g, y, hidden, cout, 1, act=None)
        x = g.op("Add", [x, y]) if stride == 1 and cin == cout else y
        cin = cout
    last = 6 * cin
    x = conv_bn(g, x, cin, last, 1, act="hardswish")
    x = g.op("GlobalAveragePool", [x])
    x = g.op("Flatten", [x], axis=1)
    x = g.op("Gemm", [x, g.weight((head, last), "classifier.0.weight"),
                      g.const(np.zeros(head, np.float32), "classifier.0.bias")], transB=1)
    x = activation(g, x, "hardswish")
    x = g.op("Gemm", [x, g.weight((classes, head), "classifier.3.weight"),
                      g.const(np.zeros(classes, np.float32), "classifier.3.bias")], transB=1)
    return image_model(g, "mobilenet_v3", x, image, classes)


def efficientnet_b0(width=1.0, depth=1.0, image=224, classes=1000, seed=0):
    """EfficientNet-B0: MBConv blocks with SiLU and squeeze-excite."""
    g = GraphBuilder(seed)
    setting = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
               (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]
    cin = make_divisible(32 * width)
    x = conv_bn(g, "input", 3, cin, 3, stride=2, act="silu")
    for expand, kernel, stride, out, repeats in setting:
        cout = make_divisible(out * width)
        for i in range(max(1, int(np.ceil(repeats * depth)))):
            s = stride if i == 0 else 1
            hidden = cin * expand
            y = x if expand == 1 else conv_bn(g, x, cin, hidden, 1, act="silu")
            y = conv_bn(g, y, hidden, hidden, kernel, stride=s, groups=hidden, act="silu")
            y = squeeze_excite(g, y, hidden, max(1, cin // 4), "Sigmoid", act="silu")
            y = conv_bn(g, y, hidden, cout, 1, act=None)
            x = g.op("Add", [x, y]) if s == 1 and cin == cout else y
            cin = cout
    last = make_divisible(1280 * width)
    x = conv_bn(g, x, cin, last, 1, act="silu")
    return image_model(g, "efficientnet_b0", classifier(g, x, last, classes), image, classes)


def batch_norm(g, x, channels, prefix="bn"):
    stats = [g.const(g.rng.uniform(0.5, 1.5, channels).astype(np.float32), prefix + ".weight"),
             g.const((g.rng.standard_normal(channels) * 0.1).astype(np.float32), prefix + ".bias"),
             g.const((g.rng.standard_normal(channels) * 0.1).astype(np.float32),
                     prefix + ".running_mean"),
             g.const(g.rng.uniform(0.5, 1.5, channels).astype(np.float32),
                     prefix + ".running_var")]
    return g.op("BatchNormalization", [x] + stats, prefix="BatchNormalization", epsilon=1e-5)


def conv(g, x, cin, cout, kernel, stride=1, pad=0, prefix="conv"):
    return g.op("Conv", [x, g.weight((cout, cin, kernel, kernel), prefix + ".weight")],
                kernel_shape=[kernel, kernel], strides=[stride, stride], pads=[pad] * 4)


def densenet(blocks=(6, 12, 24, 16), growth=32, init=64, bn_size=4, image=224, classes=1000,
             seed=0):
    """DenseNet-121: pre-activation layers whose outputs concatenate."""
    g = GraphBuilder(seed)
    x = conv_bn(g, "input", 3, init, 7, stride=2)
    x = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    channels = init
    for index, layers in enumerate(blocks):
        features = [x]
        for _ in range(layers):
            y = g.op("Concat", features, axis=1) if len(features) > 1 else features[0]
            y = g.op("Relu", [batch_norm(g, y, channels)])
            y = conv(g, y, channels, bn_size * growth, 1)
            y = g.op("Relu", [batch_norm(g, y, bn_size * growth)])
            y = conv(g, y, bn_size * growth, growth, 3, pad=1)
            features.append(y)
            channels += growth
        x = g.op("Concat", features, axis=1)
        if index != len(blocks) - 1:
            x = g.op("Relu", [batch_norm(g, x, channels)])
            x = conv(g, x, channels, channels // 2, 1)
            x = g.op("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2])
            channels //= 2
    x = g.op("Relu", [batch_norm(g, x, channels)])
    return image_model(g, "densenet", classifier(g, x, channels, classes), image, classes)


def squeezenet(width=1.0, image=224, classes=1000, seed=0):
    """SqueezeNet 1.1: Fire modules (squeeze, then 1x1 and 3x3 expands
    concatenated), ceil-mode max pooling, a convolutional classifier."""
    g = GraphBuilder(seed)
    bias = lambda c: g.const(np.zeros(c, np.float32), "bias")
    def conv_relu(x, cin, cout, kernel, stride=1, pad=0):
        # He scaling keeps activations from shrinking through the ReLUs.
        w = g.weight((cout, cin, kernel, kernel), "conv.weight",
                     scale=np.sqrt(2.0 / (cin * kernel * kernel)))
        return g.op("Relu", [g.op("Conv", [x, w, bias(cout)], kernel_shape=[kernel, kernel],
                                  strides=[stride, stride], pads=[pad] * 4)])
    c = lambda channels: max(4, int(channels * width))
    def fire(x, cin, squeeze, expand):
        cin, squeeze, expand = c(cin), c(squeeze), c(expand)
        s = conv_relu(x, cin, squeeze, 1)
        return g.op("Concat", [conv_relu(s, squeeze, expand, 1),
                               conv_relu(s, squeeze, expand, 3, pad=1)], axis=1)
    pool = lambda x: g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    x = pool(conv_relu("input", 3, c(64), 3, stride=2))
    x = pool(fire(fire(x, 64, 16, 64), 128, 16, 64))
    x = pool(fire(fire(x, 128, 32, 128), 256, 32, 128))
    x = fire(fire(fire(fire(x, 256, 48, 192), 384, 48, 192), 384, 64, 256), 512, 64, 256)
    x = conv_relu(x, c(512), classes, 1)
    x = g.op("Flatten", [g.op("GlobalAveragePool", [x])], axis=1)
    return image_model(g, "squeezenet", x, image, classes)


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------

def yolo(width=0.25, depth=0.33, max_channels=1024, divisor=8, image=640, classes=80, reg_max=16,
         head_min=16, gain=2.2, seed=0):
    """A YOLOv8-style detector (YOLOv8n by default), as exported with its
    BatchNorms folded into the convolutions: Conv + SiLU (Sigmoid, Mul), C2f
    blocks (Split, bottlenecks, Concat), SPPF (three chained 5x5 MaxPools), an
    FPN/PAN neck with nearest Resize by scales, and a three-scale head whose
    box and class branches are reshaped to [1, C, H*W] and concatenated, the
    boxes decoded by DFL (Softmax, a fixed 1x1 Conv) against constant anchors
    and the class scores gated by Sigmoid. Output [1, 4 + classes, anchors]."""
    g = GraphBuilder(seed)
    ch = lambda c: make_divisible(min(c, max_channels) * width, divisor)
    reps = lambda n: max(round(n * depth), 1)

    def conv_silu(x, cin, cout, kernel=1, stride=1):
        # Weights of variance gain / fan_in stand in for the folded BatchNorm
        # and keep the activations near unit size through the SiLUs (narrow
        # models, whose SiLUs see small values, need a larger gain).
        w = g.weight((cout, cin, kernel, kernel), "conv.weight",
                     scale=np.sqrt(gain / (cin * kernel * kernel)))
        b = g.const((g.rng.standard_normal(cout) * 0.1).astype(np.float32), "conv.bias")
        y = g.op("Conv", [x, w, b], kernel_shape=[kernel, kernel], strides=[stride, stride],
                 pads=[kernel // 2] * 4, dilations=[1, 1], group=1)
        return g.op("Mul", [y, g.op("Sigmoid", [y])])

    def c2f(x, cin, cout, n, shortcut):
        c = cout // 2
        y = conv_silu(x, cin, 2 * c)
        parts = list(g.op("Split", [y, g.const(np.array([c, c], np.int64))], outputs=2, axis=1))
        for _ in range(n):
            z = conv_silu(conv_silu(parts[-1], c, c, 3), c, c, 3)
            parts.append(g.op("Add", [parts[-1], z]) if shortcut else z)
        return conv_silu(g.op("Concat", parts, axis=1), (2 + n) * c, cout)

    def sppf(x, cin, cout):
        hidden = cin // 2
        parts = [conv_silu(x, cin, hidden)]
        for _ in range(3):
            parts.append(g.op("MaxPool", [parts[-1]], kernel_shape=[5, 5], strides=[1, 1],
                              pads=[2, 2, 2, 2], dilations=[1, 1], ceil_mode=0))
        return conv_silu(g.op("Concat", parts, axis=1), 4 * hidden, cout)

    def upsample(x):  # nn.Upsample(scale_factor=2), mode nearest
        return g.op("Resize", [x, "", g.const(np.array([1, 1, 2, 2], np.float32), "scales")],
                    coordinate_transformation_mode="asymmetric", cubic_coeff_a=-0.75,
                    mode="nearest", nearest_mode="floor")

    c1, c2, c3, c4, c5 = ch(64), ch(128), ch(256), ch(512), ch(1024)
    x = conv_silu("images", 3, c1, 3, 2)                          # P1/2
    x = c2f(conv_silu(x, c1, c2, 3, 2), c2, c2, reps(3), True)    # P2/4
    p3 = c2f(conv_silu(x, c2, c3, 3, 2), c3, c3, reps(6), True)   # P3/8
    p4 = c2f(conv_silu(p3, c3, c4, 3, 2), c4, c4, reps(6), True)  # P4/16
    p5 = c2f(conv_silu(p4, c4, c5, 3, 2), c5, c5, reps(3), True)  # P5/32
    p5 = sppf(p5, c5, c5)
    # FPN top-down, then PAN bottom-up.
    n4 = c2f(g.op("Concat", [upsample(p5), p4], axis=1), c5 + c4, c4, reps(3), False)
    n3 = c2f(g.op("Concat", [upsample(n4), p3], axis=1), c4 + c3, c3, reps(3), False)
    n4 = c2f(g.op("Concat", [conv_silu(n3, c3, c3, 3, 2), n4], axis=1), c3 + c4, c4, reps(3),
             False)
    n5 = c2f(g.op("Concat", [conv_silu(n4, c4, c4, 3, 2), p5], axis=1), c4 + c5, c5, reps(3),
             False)

    # Detect: per scale a box branch (4 * reg_max DFL bins) and a class branch.
    outputs = 4 * reg_max + classes
    box_width = max(head_min, c3 // 4, 4 * reg_max)
    cls_width = max(c3, min(classes, 100))
    flat, anchors, strides = [], [], []
    for feature, cin, stride in ((n3, c3, 8), (n4, c4, 16), (n5, c5, 32)):
        def branch(hidden, cout):
            y = conv_silu(conv_silu(feature, cin, hidden, 3), hidden, hidden, 3)
            return g.op("Conv", [y, g.weight((cout, hidden, 1, 1), "head.weight"),
                                 g.const(np.zeros(cout, np.float32), "head.bias")],
                        kernel_shape=[1, 1], strides=[1, 1], pads=[0] * 4, dilations=[1, 1],
                        group=1)
        y = g.op("Concat", [branch(box_width, 4 * reg_max), branch(cls_width, classes)], axis=1)
        flat.append(g.op("Reshape", [y, g.const(np.array([1, outputs, -1], np.int64))]))
        side = image // stride
        sy, sx = np.meshgrid(np.arange(side) + 0.5, np.arange(side) + 0.5, indexing="ij")
        anchors.append(np.stack([sx.reshape(-1), sy.reshape(-1)]))
        strides.append(np.full(side * side, stride))
    x = g.op("Concat", flat, axis=2)
    count = sum(a.shape[1] for a in anchors)
    box, cls = g.op("Split", [x, g.const(np.array([4 * reg_max, classes], np.int64))],
                    outputs=2, axis=1)
    # DFL: a softmax over each side's bins, their expectation as a 1x1 Conv.
    box = g.op("Reshape", [box, g.const(np.array([1, 4, reg_max, count], np.int64))])
    box = g.op("Softmax", [g.op("Transpose", [box], perm=[0, 2, 1, 3])], axis=1)
    box = g.op("Conv", [box, g.const(np.arange(reg_max, dtype=np.float32)
                                     .reshape(1, reg_max, 1, 1), "dfl.weight")],
               kernel_shape=[1, 1], strides=[1, 1], pads=[0] * 4, dilations=[1, 1], group=1)
    box = g.op("Reshape", [box, g.const(np.array([1, 4, count], np.int64))])
    # Distances to boxes: centre and size, scaled by each anchor's stride.
    lt, rb = g.op("Split", [box, g.const(np.array([2, 2], np.int64))], outputs=2, axis=1)
    anchor = g.const(np.concatenate(anchors, axis=1).reshape(1, 2, count).astype(np.float32),
                     "anchors")
    x1y1, x2y2 = g.op("Sub", [anchor, lt]), g.op("Add", [anchor, rb])
    centre = g.op("Div", [g.op("Add", [x1y1, x2y2]), g.const(np.float32(2.0))])
    size = g.op("Sub", [x2y2, x1y1])
    box = g.op("Mul", [g.op("Concat", [centre, size], axis=1),
                       g.const(np.concatenate(strides).reshape(1, count).astype(np.float32),
                               "strides")])
    y = g.op("Concat", [box, g.op("Sigmoid", [cls])], axis=1)
    return g.model("yolo",
                   [helper.make_tensor_value_info("images", TensorProto.FLOAT,
                                                  [1, 3, image, image])],
                   [helper.make_tensor_value_info(y, TensorProto.FLOAT,
                                                  [1, 4 + classes, count])])


# ---------------------------------------------------------------------------
# Transformers
# ---------------------------------------------------------------------------

def linear(g, x, din, dout, prefix):
    y = g.op("MatMul", [x, g.weight((din, dout), prefix + ".weight")])
    return g.op("Add", [y, g.const((g.rng.standard_normal(dout) * 0.02).astype(np.float32),
                                   prefix + ".bias")])


def layer_norm(g, x, hidden, prefix, epsilon=1e-5):
    return g.op("LayerNormalization",
                [x, g.const(np.ones(hidden, np.float32), prefix + ".weight"),
                 g.const(np.zeros(hidden, np.float32), prefix + ".bias")],
                axis=-1, epsilon=epsilon)


def split_heads(g, x, seq, heads, head_dim, batch=1):
    # A symbolic seq (a name) is the reshape's -1, a symbolic batch its 0
    # (the input's own).
    seq = seq if isinstance(seq, int) else -1
    batch = batch if isinstance(batch, int) else 0
    x = g.op("Reshape", [x, g.const(np.array([batch, seq, heads, head_dim], np.int64))])
    return g.op("Transpose", [x], perm=[0, 2, 1, 3])


def merge_heads(g, x, seq, hidden, batch=1):
    seq = seq if isinstance(seq, int) else -1
    batch = batch if isinstance(batch, int) else 0
    x = g.op("Transpose", [x], perm=[0, 2, 1, 3])
    return g.op("Reshape", [x, g.const(np.array([batch, seq, hidden], np.int64))])


def gelu_erf(g, x):
    y = g.op("Erf", [g.op("Div", [x, g.const(np.float32(np.sqrt(2.0)))])])
    y = g.op("Add", [y, g.const(np.float32(1.0))])
    return g.op("Mul", [g.op("Mul", [x, y]), g.const(np.float32(0.5))])


def gelu_tanh(g, x):
    cube = g.op("Pow", [x, g.const(np.float32(3.0))])
    inner = g.op("Add", [x, g.op("Mul", [cube, g.const(np.float32(0.044715))])])
    inner = g.op("Mul", [inner, g.const(np.float32(np.sqrt(2.0 / np.pi)))])
    y = g.op("Add", [g.op("Tanh", [inner]), g.const(np.float32(1.0))])
    return g.op("Mul", [g.op("Mul", [x, g.const(np.float32(0.5))]), y])


def bert(layers=12, hidden=768, heads=12, seq=128, vocab=30522, intermediate=3072, seed=0,
         batch=1):
    """BERT's encoder. `seq` may be a name ("sequence_length"): the inputs'
    length is then symbolic, and the positions a prefix of the 512 the
    table holds, sliced to the length of `input_ids` (as exporters write).
    `batch` may be a name too ("batch_size")."""
    g = GraphBuilder(seed)
    head_dim = hidden // heads
    x = g.op("Gather", [g.weight((vocab, hidden), "word_embeddings", 0.02), "input_ids"], axis=0)
    if isinstance(seq, int):
        positions = g.const(np.arange(seq, dtype=np.int64).reshape(1, seq), "position_ids")
    else:
        length = g.op("Slice", [g.op("Shape", ["input_ids"]), g.const(np.array([1], np.int64)),
                                g.const(np.array([2], np.int64))])
        positions = g.op("Slice", [g.const(np.arange(512, dtype=np.int64).reshape(1, 512),
                                           "position_ids"),
                                   g.const(np.array([0], np.int64)), length,
                                   g.const(np.array([1], np.int64))])
    x = g.op("Add", [x, g.op("Gather", [g.weight((512, hidden), "position_embeddings", 0.02),
                                        positions], axis=0)])
    x = g.op("Add", [x, g.op("Gather", [g.weight((2, hidden), "token_type_embeddings", 0.02),
                                        "token_type_ids"], axis=0)])
    x = layer_norm(g, x, hidden, "embeddings.LayerNorm", 1e-12)
    # (1 - mask) * -10000, broadcast over heads and query positions.
    mask = g.op("Unsqueeze", ["attention_mask", g.const(np.array([1, 2], np.int64))])
    mask = g.op("Cast", [mask], to=TensorProto.FLOAT)
    mask = g.op("Mul", [g.op("Sub", [g.const(np.float32(1.0)), mask]),
                        g.const(np.float32(-10000.0))])
    for layer in range(layers):
        p = f"encoder.layer.{layer}"
        q, k, v = (split_heads(g, linear(g, x, hidden, hidden, p + name), seq, heads, head_dim,
                               batch) for name in (".query", ".key", ".value"))
        scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
        scores = g.op("Div", [scores, g.const(np.float32(np.sqrt(head_dim)))])
        probs = g.op("Softmax", [g.op("Add", [scores, mask])], axis=-1)
        context = merge_heads(g, g.op("MatMul", [probs, v]), seq, hidden, batch)
        attn = linear(g, context, hidden, hidden, p + ".attention.output")
        x = layer_norm(g, g.op("Add", [attn, x]), hidden, p + ".attention.LayerNorm", 1e-12)
        ffn = gelu_erf(g, linear(g, x, hidden, intermediate, p + ".intermediate"))
        ffn = linear(g, ffn, intermediate, hidden, p + ".output")
        x = layer_norm(g, g.op("Add", [ffn, x]), hidden, p + ".output.LayerNorm", 1e-12)
    ids = lambda name: helper.make_tensor_value_info(name, TensorProto.INT64, [batch, seq])
    return g.model("bert", [ids("input_ids"), ids("attention_mask"), ids("token_type_ids")],
                   [helper.make_tensor_value_info(x, TensorProto.FLOAT, [batch, seq, hidden])])


def gpt2(layers=12, hidden=768, heads=12, seq=128, past=0, vocab=50257, seed=0,
         positions="constant", mask=False, batch=1):
    """Prefill of `seq` tokens (past=0), or a decode step of `seq` new tokens
    after `past` cached ones, with past_key_values inputs and present outputs.

    `past` may be a name, "past_sequence_length": the past is then a
    symbolic dim as exporters write it, the causal mask is built from the
    past's shape (Shape, ConstantOfShape, Trilu), and the positions are an
    input `position_ids` (positions="input") or a Range from the past's
    shape (positions="shape", or "doubled": from twice the past length). With a symbolic past, `seq` may be a name
    too ("sequence_length"): a step of any number of tokens. `mask` adds an
    input `attention_mask` over the past and the step (1: attend), combined
    with a causal mask (key indices compared with the step's positions)
    into an additive one, as `transformers` exports a decoder. `batch` may
    be a name ("batch_size")."""
    g = GraphBuilder(seed)
    symbolic = isinstance(past, str)
    steps = isinstance(seq, str)
    head_dim = hidden // heads
    total = past + seq if not symbolic else None
    x = g.op("Gather", [g.weight((vocab, hidden), "wte", 0.02), "input_ids"], axis=0)
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [batch, seq])]
    if symbolic:
        past_length = g.op("Gather", [g.op("Shape", ["past_key_0"]), g.const(np.int64(2))],
                           axis=0)
        seq_length = (g.op("Gather", [g.op("Shape", ["input_ids"]), g.const(np.int64(1))],
                           axis=0) if steps else g.const(np.int64(seq)))
        total_length = g.op("Add", [past_length, seq_length])
    if not symbolic:
        position_ids = g.const(np.arange(past, total, dtype=np.int64).reshape(1, seq),
                               "position_ids")
    elif positions == "input":
        position_ids = "position_ids"
        inputs.append(helper.make_tensor_value_info("position_ids", TensorProto.INT64,
                                                    [batch, seq]))
    else:
        # "doubled": positions that are no offset of the past length (a
        # model one compile cannot serve at every length).
        start, limit = past_length, total_length
        if positions == "doubled":
            start = g.op("Mul", [past_length, g.const(np.int64(2))])
            limit = g.op("Add", [start, seq_length])
        position_ids = g.op("Unsqueeze", [g.op("Range", [start, limit, g.const(np.int64(1))]),
                                          g.const(np.array([0], np.int64))])
    # GPT-2 has 1024 positions; longer caches (to measure attention over
    # them) get a longer table of the same random kind.
    x = g.op("Add", [x, g.op("Gather", [g.weight((max(1024, total or 0), hidden), "wpe", 0.02),
                                        position_ids], axis=0)])
    # Causal mask over [past + seq] keys: query i sees keys <= past + i.
    if not symbolic:
        allowed = np.tril(np.ones((total, total), dtype=bool))[past:total]
        causal = g.const(allowed.reshape(1, 1, seq, total), "causal_mask")
    elif mask:
        # transformers compares key indices with the step's positions.
        one = g.const(np.int64(1))
        key_index = g.op("Reshape", [g.op("Range", [g.const(np.int64(0)), total_length, one]),
                                     g.const(np.array([1, 1, 1, -1], np.int64))])
        query_position = g.op("Reshape", [g.op("Range", [past_length, total_length, one]),
                                          g.const(np.array([1, 1, -1, 1], np.int64))])
        causal = g.op("LessOrEqual", [key_index, query_position])
    else:
        size = g.op("Concat", [g.op("Unsqueeze", [seq_length, g.const(np.array([0], np.int64))]),
                               g.op("Unsqueeze", [total_length,
                                                  g.const(np.array([0], np.int64))])], axis=0)
        ones = g.op("ConstantOfShape", [size],
                    value=numpy_helper.from_array(np.array([1], np.int64)))
        causal = g.op("Cast", [g.op("Trilu", [ones, past_length], upper=0)],
                      to=TensorProto.BOOL)
    neg = g.const(np.float32(np.finfo(np.float32).min))
    if mask:
        inputs.append(helper.make_tensor_value_info("attention_mask", TensorProto.INT64,
                                                    [batch, f"{past} + {seq}"]))
        padding = g.op("Cast", [g.op("Unsqueeze", ["attention_mask",
                                                    g.const(np.array([1, 2], np.int64))])],
                       to=TensorProto.BOOL)
        bias = g.op("Where", [g.op("And", [causal, padding]), g.const(np.float32(0)), neg])
    outputs = []
    for layer in range(layers):
        p = f"h.{layer}"
        h = layer_norm(g, x, hidden, p + ".ln_1")
        qkv = linear(g, h, hidden, 3 * hidden, p + ".attn.c_attn")
        q, k, v = g.op("Split", [qkv, g.const(np.array([hidden] * 3, np.int64))], outputs=3,
                       axis=2)
        q, k, v = (split_heads(g, t, seq, heads, head_dim, batch) for t in (q, k, v))
        if past:
            for kind in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(
                    f"past_{kind}_{layer}", TensorProto.FLOAT, [batch, heads, past, head_dim]))
            k = g.op("Concat", [f"past_key_{layer}", k], axis=2)
            v = g.op("Concat", [f"past_value_{layer}", v], axis=2)
            outputs += [helper.make_tensor_value_info(
                t, TensorProto.FLOAT,
                [batch, heads, total if total else f"{past} + {seq}", head_dim])
                for t in (k, v)]
        scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
        scores = g.op("Div", [scores, g.const(np.float32(np.sqrt(head_dim)))])
        scores = (g.op("Add", [scores, bias]) if mask
                  else g.op("Where", [causal, scores, neg]))
        context = merge_heads(g, g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v]),
                              seq, hidden, batch)
        x = g.op("Add", [x, linear(g, context, hidden, hidden, p + ".attn.c_proj")])
        h = layer_norm(g, x, hidden, p + ".ln_2")
        h = linear(g, gelu_tanh(g, linear(g, h, hidden, 4 * hidden, p + ".mlp.c_fc")),
                   4 * hidden, hidden, p + ".mlp.c_proj")
        x = g.op("Add", [x, h])
    x = layer_norm(g, x, hidden, "ln_f")
    logits = g.op("MatMul", [x, g.weight((hidden, vocab), "lm_head", 0.02)])
    outputs.insert(0, helper.make_tensor_value_info(logits, TensorProto.FLOAT,
                                                    [batch, seq, vocab]))
    return g.model("gpt2" if not past else "gpt2_decode", inputs, outputs)


def routed_decoder(arch="gpt2", layers=4, hidden=32, heads=2, seq=8, cache=16, vocab=64,
                   seed=0, routers=None, keep=None, token_capacity=None, kv_heads=None,
                   intermediate=None):
    """A GPT-2-style or LLaMA-style decoder over a fixed-size KV cache, with
    routers (docs/routing.md).

    One graph serves the prefill (`seq` tokens at position 0) and every
    decode step (`seq` = 1): it takes `input_ids`, the `position` of its
    first token and, per layer, `past_key_<l>` / `past_value_<l>` of
    [1, kv heads, cache, head_dim]; it writes the new tokens' keys and
    values at their positions (ScatterElements) and returns the whole cache
    as `present_key_<l>` / `present_value_<l>`; queries see the keys at or
    before their position. The GPT-2 block is `gpt2`'s (LayerNorm, learned
    positions, tanh GELU), the LLaMA block `llama`'s (RMSNorm, rotary
    embeddings at the tokens' positions, `kv_heads` grouped KV heads,
    SwiGLU of `intermediate`). Each layer's weights come from its own
    seeded generator, so the variants below hold the same weights:

    - `routers=None`: the plain model;
    - `routers="input"`: every layer is a tcc.LayerRouter over (residual,
      past key, past value), run when its entry of the bool input
      `layer_decisions` [layers] holds (a decision forced by the caller, or
      carried from the prefill into the decode steps); a skipped layer
      returns its cache unchanged;
    - `routers="scored"`: the decisions come from a router per layer
      (sigmoid of a linear map of the layer input's mean over tokens,
      run when above 0.5) and are returned as `layer_decisions`;
    - `keep`: only these layers exist (the reference for a skip set), their
      caches alone in the inputs and outputs;
    - `token_capacity`: each layer's MLP is a tcc.TokenRouter of that
      capacity, its scores a linear map of the tokens.
    """
    g = GraphBuilder(seed)
    head_dim = hidden // heads
    kv_heads = kv_heads or heads
    group = heads // kv_heads
    intermediate = intermediate or 4 * hidden
    kept = list(range(layers)) if keep is None else sorted(keep)
    x = g.op("Gather", [g.weight((vocab, hidden), "wte", 0.02), "input_ids"], axis=0)
    positions = g.op("Add", ["position", g.const(np.arange(seq, dtype=np.int64).reshape(1, seq))])
    if arch == "gpt2":
        x = g.op("Add", [x, g.op("Gather", [g.weight((max(1024, cache), hidden), "wpe", 0.02),
                                            positions], axis=0)])
    else:
        inv_freq = 1.0 / (10000.0 ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
        angles = np.outer(np.arange(cache), inv_freq)
        angles = np.concatenate([angles, angles], axis=-1)
        rope_shape = g.const(np.array([1, 1, seq, head_dim], np.int64))
        cos, sin = (g.op("Reshape", [g.op("Gather", [g.const(f(angles).astype(np.float32),
                                                             "rope_" + f.__name__), positions],
                                          axis=0), rope_shape])
                    for f in (np.cos, np.sin))
    # Key j is visible to query i iff j <= position + i.
    query_positions = g.op("Reshape", [positions, g.const(np.array([1, 1, seq, 1], np.int64))])
    allowed = g.op("LessOrEqual", [g.const(np.arange(cache, dtype=np.int64).reshape(1, 1, 1, cache)),
                                   query_positions])
    rows = g.op("Expand", [query_positions,
                           g.const(np.array([1, kv_heads, seq, head_dim], np.int64))])
    neg = g.const(np.float32(np.finfo(np.float32).min))
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, seq]),
              helper.make_tensor_value_info("position", TensorProto.INT64, [1])]
    if routers == "input":
        inputs.append(helper.make_tensor_value_info("layer_decisions", TensorProto.BOOL, [layers]))
    outputs, decisions = [], []
    cache_shape = [1, kv_heads, cache, head_dim]
    cache_info = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, cache_shape)

    def attention(g, p, h, past_k, past_v):
        if arch == "gpt2":
            qkv = linear(g, h, hidden, 3 * hidden, p + ".attn.c_attn")
            q, k, v = g.op("Split", [qkv, g.const(np.array([hidden] * 3, np.int64))], outputs=3,
                           axis=2)
            q, k, v = (split_heads(g, t, seq, heads, head_dim) for t in (q, k, v))
        else:
            q, k, v = llama_qkv(g, h, cos, sin, p, hidden, heads, kv_heads, seq)
        k = g.op("ScatterElements", [past_k, rows, k], axis=2)
        v = g.op("ScatterElements", [past_v, rows, v], axis=2)

        def repeat_kv(t):
            if group == 1:
                return t
            t = g.op("Unsqueeze", [t, g.const(np.array([2], np.int64))])
            t = g.op("Expand", [t, g.const(np.array([1, kv_heads, group, cache, head_dim],
                                                    np.int64))])
            return g.op("Reshape", [t, g.const(np.array([1, heads, cache, head_dim], np.int64))])

        scores = g.op("MatMul", [q, g.op("Transpose", [repeat_kv(k)], perm=[0, 1, 3, 2])])
        scores = g.op("Div", [scores, g.const(np.float32(np.sqrt(head_dim)))])
        scores = g.op("Where", [allowed, scores, neg])
        context = merge_heads(g, g.op("MatMul", [g.op("Softmax", [scores], axis=-1),
                                                 repeat_kv(v)]), seq, hidden)
        if arch == "gpt2":
            return linear(g, context, hidden, hidden, p + ".attn.c_proj"), k, v
        return g.op("MatMul", [context, g.weight((hidden, hidden), p + ".o_proj")]), k, v

    def mlp(g, p, t):
        if arch == "gpt2":
            h = layer_norm(g, t, hidden, p + ".ln_2")
            return linear(g, gelu_tanh(g, linear(g, h, hidden, intermediate, p + ".mlp.c_fc")),
                          intermediate, hidden, p + ".mlp.c_proj")
        h = rms_norm(g, t, hidden, p + ".post_attention_layernorm")
        gate = g.op("MatMul", [h, g.weight((hidden, intermediate), p + ".gate_proj")])
        gate = g.op("Mul", [gate, g.op("Sigmoid", [gate])])
        up = g.op("MatMul", [h, g.weight((hidden, intermediate), p + ".up_proj")])
        return g.op("MatMul", [g.op("Mul", [gate, up]),
                               g.weight((intermediate, hidden), p + ".down_proj")])

    def block(g, layer, x, past_k, past_v):
        p = f"h.{layer}"
        h = (layer_norm(g, x, hidden, p + ".ln_1") if arch == "gpt2"
             else rms_norm(g, x, hidden, p + ".input_layernorm"))
        a, k, v = attention(g, p, h, past_k, past_v)
        x = g.op("Add", [x, a])
        if token_capacity is None:
            x = g.op("Add", [x, mlp(g, p, x)])
        else:
            scores = g.op("Reshape", [g.op("MatMul", [x, g.weight((hidden, 1), p + ".token_router")]),
                                      g.const(np.array([1, seq], np.int64))])
            routed = max(1, min(seq, int(round(token_capacity * seq))))
            x = token_router(g, x, scores, token_capacity, routed, hidden,
                             lambda body, t: mlp(body, p, t))
        return x, k, v

    for layer in kept:
        g.rng = np.random.default_rng([seed, layer + 1])
        past_k, past_v = f"past_key_{layer}", f"past_value_{layer}"
        inputs += [cache_info(past_k), cache_info(past_v)]
        if routers is None:
            x, k, v = block(g, layer, x, past_k, past_v)
        else:
            if routers == "input":
                run = g.op("Slice", ["layer_decisions", g.const(np.array([layer], np.int64)),
                                     g.const(np.array([layer + 1], np.int64))])
            else:
                # FiRST-style: the router reads the layer's input.
                router_rng = np.random.default_rng([seed, layer + 1, 7])
                summary = g.op("ReduceMean", [x], axes=[1], keepdims=0)
                w = g.const((router_rng.standard_normal((hidden, 1)) / np.sqrt(hidden))
                            .astype(np.float32), f"h.{layer}.layer_router")
                logit = g.op("Reshape", [g.op("MatMul", [summary, w]),
                                         g.const(np.array([1], np.int64))])
                run = g.op("Greater", [g.op("Sigmoid", [logit]), g.const(np.float32(0.5))])
                decisions.append(run)
            x, k, v = layer_router(g, layer, run, x, past_k, past_v, block,
                                   [1, seq, hidden], cache_shape)
        for kind, value in (("key", k), ("value", v)):
            g.nodes.append(helper.make_node("Identity", [value], [f"present_{kind}_{layer}"]))
            outputs.append(cache_info(f"present_{kind}_{layer}"))
    g.rng = np.random.default_rng([seed, 0])
    x = (layer_norm(g, x, hidden, "ln_f") if arch == "gpt2" else rms_norm(g, x, hidden, "norm"))
    logits = g.op("MatMul", [x, g.weight((hidden, vocab), "lm_head", 0.02)])
    outputs.insert(0, helper.make_tensor_value_info(logits, TensorProto.FLOAT, [1, seq, vocab]))
    if decisions:
        g.nodes.append(helper.make_node("Concat", decisions, ["layer_decisions"], axis=0))
        outputs.append(helper.make_tensor_value_info("layer_decisions", TensorProto.BOOL,
                                                     [layers]))
    model = g.model(f"{arch}_routed", inputs, outputs)
    if routers is not None or token_capacity is not None:
        model.opset_import.append(helper.make_opsetid("tcc", 1))
    return model


def gpt2_routed(layers=4, hidden=32, heads=2, seq=8, cache=16, vocab=64, **config):
    """The GPT-2-style routed decoder (routed_decoder)."""
    return routed_decoder("gpt2", layers, hidden, heads, seq, cache, vocab, **config)


def llama_routed(layers=4, hidden=32, heads=4, seq=8, cache=16, vocab=64, kv_heads=2,
                 intermediate=48, **config):
    """The LLaMA-style routed decoder (routed_decoder)."""
    return routed_decoder("llama", layers, hidden, heads, seq, cache, vocab, kv_heads=kv_heads,
                          intermediate=intermediate, **config)


def subgraph_builder(g):
    """A GraphBuilder for a router's body: fresh nodes, the parent's names,
    generator and initializers (bodies read weights from the outer graph)."""
    body = GraphBuilder(0)
    body.rng, body.count, body.inits = g.rng, g.count, g.inits
    return body


def layer_router(g, layer, run, x, past_k, past_v, block, x_shape, cache_shape):
    """A tcc.LayerRouter over (x, past_k, past_v) whose body is `block`."""
    body = subgraph_builder(g)
    names = [f"h.{layer}.in_x", f"h.{layer}.in_key", f"h.{layer}.in_value"]
    outs = block(body, layer, *names)
    g.count = body.count
    info = lambda name, shape: helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
    graph = helper.make_graph(
        body.nodes, f"layer_{layer}",
        [info(names[0], x_shape), info(names[1], cache_shape), info(names[2], cache_shape)],
        [info(outs[0], x_shape), info(outs[1], cache_shape), info(outs[2], cache_shape)])
    results = [g.name(f"layer{layer}_out") for _ in range(3)]
    g.nodes.append(helper.make_node("LayerRouter", [run, x, past_k, past_v], results,
                                    domain="tcc", name=f"/LayerRouter_{layer}", body=graph,
                                    layer=layer))
    return results


def token_router(g, x, scores, capacity, routed, hidden, block):
    """x + (block on the `routed` tokens of highest score, scattered back):
    a tcc.TokenRouter of `capacity` whose body is `block(builder, tokens)`."""
    body = subgraph_builder(g)
    tokens = g.name("routed_tokens")
    out = block(body, tokens)
    g.count = body.count
    info = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, routed, hidden])
    graph = helper.make_graph(body.nodes, tokens + "_block", [info(tokens)], [info(out)])
    result = g.name("token_router")
    g.nodes.append(helper.make_node("TokenRouter", [x, scores], [result], domain="tcc",
                                    name="/" + result, body=graph, capacity=float(capacity)))
    return result


def expand_routers(model):
    """The same model with its tcc-domain routers written in standard ONNX,
    for ONNX Runtime: a LayerRouter as an If (the body in then_branch, its
    inputs bound by Identity; else_branch passes the values through), a
    TokenRouter as TopK, a TopK that orders the positions, GatherElements,
    the body and ScatterElements(reduction="add"). Routers nested in a
    router's body are left as they are."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    nodes = []
    for n in model.graph.node:
        if n.domain != "tcc":
            nodes.append(n)
            continue
        body = next(a.g for a in n.attribute if a.name == "body")
        binds = [helper.make_node("Identity", [outer], [inner.name])
                 for outer, inner in zip(n.input[1 if n.op_type == "LayerRouter" else 0:],
                                         body.input)]
        if n.op_type == "LayerRouter":
            then_branch = helper.make_graph(binds + list(body.node), body.name + "_run", [],
                                            list(body.output))
            passed = [f"{o}_skipped" for o in n.output]
            else_branch = helper.make_graph(
                [helper.make_node("Identity", [i], [o]) for i, o in zip(n.input[1:], passed)],
                body.name + "_skip", [],
                [helper.make_tensor_value_info(o, t.type.tensor_type.elem_type, None)
                 for o, t in zip(passed, body.output)])
            run = n.output[0] + "_run"
            nodes.append(helper.make_node("Squeeze", [n.input[0]], [run]))
            nodes.append(helper.make_node("If", [run], list(n.output), then_branch=then_branch,
                                          else_branch=else_branch))
        else:
            routed = body.input[0].type.tensor_type.shape.dim[1].dim_value
            hidden = body.input[0].type.tensor_type.shape.dim[2].dim_value
            t = n.output[0]
            k = numpy_helper.from_array(np.array([routed], np.int64), t + "_k")
            shape = numpy_helper.from_array(np.array([1, routed, hidden], np.int64), t + "_shape")
            model.graph.initializer.extend([k, shape])
            nodes += [
                helper.make_node("TopK", [n.input[1], k.name], [t + "_v", t + "_best"], axis=1),
                helper.make_node("TopK", [t + "_best", k.name], [t + "_ov", t + "_oi"], axis=1,
                                 largest=0),
                helper.make_node("Unsqueeze", [t + "_ov", t + "_axis"], [t + "_u"]),
                helper.make_node("Expand", [t + "_u", shape.name], [t + "_rows"]),
                helper.make_node("GatherElements", [n.input[0], t + "_rows"], [body.input[0].name],
                                 axis=1)]
            model.graph.initializer.append(
                numpy_helper.from_array(np.array([2], np.int64), t + "_axis"))
            nodes += list(body.node)
            nodes.append(helper.make_node("ScatterElements",
                                          [n.input[0], t + "_rows", body.output[0].name], [t],
                                          axis=1, reduction="add"))
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    del model.opset_import[:]
    model.opset_import.append(helper.make_opsetid("", 17))
    return model


def rms_norm(g, x, hidden, prefix, epsilon=1e-6):
    """RMSNorm as torch.onnx.export writes it at opset 17: x * rsqrt(mean(x^2) + eps) * w."""
    variance = g.op("ReduceMean", [g.op("Pow", [x, g.const(np.float32(2.0))])], axes=[-1],
                    keepdims=1)
    scale = g.op("Sqrt", [g.op("Add", [variance, g.const(np.float32(epsilon))])])
    normed = g.op("Div", [x, scale])
    return g.op("Mul", [normed, g.const(np.ones(hidden, np.float32), prefix + ".weight")])


def rotate(g, x, cos, sin, head_dim):
    """Rotary embedding, rotate-half form: x * cos + rotate_half(x) * sin."""
    half = head_dim // 2
    first = g.op("Slice", [x, g.const(np.array([0], np.int64)), g.const(np.array([half], np.int64)),
                           g.const(np.array([-1], np.int64))])
    second = g.op("Slice", [x, g.const(np.array([half], np.int64)),
                            g.const(np.array([head_dim], np.int64)),
                            g.const(np.array([-1], np.int64))])
    rotated = g.op("Concat", [g.op("Neg", [second]), first], axis=-1)
    return g.op("Add", [g.op("Mul", [x, cos]), g.op("Mul", [rotated, sin])])


def llama_embedding(g, hidden, heads, seq, vocab):
    """A LLaMA-style decoder's token embedding of "input_ids", and the
    constants its attention blocks share (rotary cos and sin, the causal
    mask and its fill value)."""
    head_dim = hidden // heads
    x = g.op("Gather", [g.weight((vocab, hidden), "embed_tokens", 0.02), "input_ids"], axis=0)
    inv_freq = 1.0 / (10000.0 ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
    angles = np.outer(np.arange(seq), inv_freq)
    angles = np.concatenate([angles, angles], axis=-1).reshape(1, 1, seq, head_dim)
    cos = g.const(np.cos(angles).astype(np.float32), "rope_cos")
    sin = g.const(np.sin(angles).astype(np.float32), "rope_sin")
    allowed = np.tril(np.ones((seq, seq), dtype=bool)).reshape(1, 1, seq, seq)
    causal, neg = g.const(allowed, "causal_mask"), g.const(np.float32(np.finfo(np.float32).min))
    return x, (cos, sin, causal, neg)


def llama_qkv(g, h, cos, sin, p, hidden, heads, kv_heads, seq):
    """LLaMA's query, key and value projections of `h`, split into heads,
    the query and key rotated."""
    head_dim = hidden // heads
    q = g.op("MatMul", [h, g.weight((hidden, hidden), p + ".q_proj")])
    k = g.op("MatMul", [h, g.weight((hidden, kv_heads * head_dim), p + ".k_proj")])
    v = g.op("MatMul", [h, g.weight((hidden, kv_heads * head_dim), p + ".v_proj")])
    q = rotate(g, split_heads(g, q, seq, heads, head_dim), cos, sin, head_dim)
    k = rotate(g, split_heads(g, k, seq, kv_heads, head_dim), cos, sin, head_dim)
    return q, k, split_heads(g, v, seq, kv_heads, head_dim)


def llama_attention(g, x, rope, p, hidden, heads, kv_heads, seq, cache=None):
    """One LLaMA-style attention block on the residual `x` (RMSNorm, rotary
    embeddings, grouped KV heads repeated with Unsqueeze/Expand/Reshape, a
    causal mask, the residual add) and the RMSNorm before the MLP: returns
    the residual and the MLP's input. `cache(k, v)`, when given, returns the
    keys and values attended and their length as a tensor (a KV cache's
    Concat): the repeat then takes its shape from that length."""
    cos, sin, causal, neg = rope
    head_dim, group = hidden // heads, heads // kv_heads
    h = rms_norm(g, x, hidden, p + ".input_layernorm")
    q, k, v = llama_qkv(g, h, cos, sin, p, hidden, heads, kv_heads, seq)
    length = seq
    if cache:
        k, v, length = cache(k, v)

    def repeat_kv(t):
        t = g.op("Unsqueeze", [t, g.const(np.array([2], np.int64))])
        if cache:
            shape = g.op("Concat", [g.const(np.array([1, kv_heads, group], np.int64)),
                                    g.op("Unsqueeze", [length, g.const(np.array([0], np.int64))]),
                                    g.const(np.array([head_dim], np.int64))], axis=0)
            t = g.op("Expand", [t, shape])
            return g.op("Reshape", [t, g.const(np.array([1, heads, -1, head_dim], np.int64))])
        t = g.op("Expand", [t, g.const(np.array([1, kv_heads, group, seq, head_dim], np.int64))])
        return g.op("Reshape", [t, g.const(np.array([1, heads, seq, head_dim], np.int64))])

    k, v = repeat_kv(k), repeat_kv(v)
    scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
    scores = g.op("Div", [scores, g.const(np.float32(np.sqrt(head_dim)))])
    scores = g.op("Where", [causal, scores, neg])
    context = merge_heads(g, g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v]),
                          seq, hidden)
    x = g.op("Add", [x, g.op("MatMul", [context, g.weight((hidden, hidden), p + ".o_proj")])])
    h = rms_norm(g, x, hidden, p + ".post_attention_layernorm")
    return x, h


def llama_mlp(g, x, h, p, hidden, intermediate):
    """LLaMA's SwiGLU MLP on `h`, added to the residual `x`."""
    gate = g.op("MatMul", [h, g.weight((hidden, intermediate), p + ".gate_proj")])
    gate = g.op("Mul", [gate, g.op("Sigmoid", [gate])])
    up = g.op("MatMul", [h, g.weight((hidden, intermediate), p + ".up_proj")])
    return g.op("Add", [x, g.op("MatMul", [g.op("Mul", [gate, up]),
                                           g.weight((intermediate, hidden), p + ".down_proj")])])


def llama(layers=4, hidden=1024, heads=16, kv_heads=4, seq=128, vocab=32000,
          intermediate=2816, seed=0):
    """A LLaMA-style decoder prefill: RMSNorm, rotary embeddings, grouped KV
    heads repeated with Unsqueeze/Expand/Reshape, a causal mask, SwiGLU MLP."""
    g = GraphBuilder(seed)
    x, rope = llama_embedding(g, hidden, heads, seq, vocab)
    for layer in range(layers):
        p = f"layers.{layer}"
        x, h = llama_attention(g, x, rope, p, hidden, heads, kv_heads, seq)
        x = llama_mlp(g, x, h, p, hidden, intermediate)
    x = rms_norm(g, x, hidden, "norm")
    logits = g.op("MatMul", [x, g.weight((hidden, vocab), "lm_head", 0.02)])
    return g.model("llama", [helper.make_tensor_value_info("input_ids", TensorProto.INT64,
                                                           [1, seq])],
                   [helper.make_tensor_value_info(logits, TensorProto.FLOAT, [1, seq, vocab])])


def llama_cached(layers=2, hidden=64, heads=4, kv_heads=2, vocab=128, intermediate=128,
                 max_positions=256, positions="input", seed=0):
    """A LLaMA-style decoder with a KV cache, as exporters write one: steps
    of any number of tokens (`sequence_length`) after a past of any length
    (`past_sequence_length`); inputs input_ids, position_ids (indexing the
    rotary tables) and per layer past key and value at the KV heads'
    count; outputs the logits and the presents. The causal mask and the
    grouped heads' Expand are built from the shapes. positions="shape"
    computes the positions from the past's shape instead and the rotary
    angles from them, as transformers exports a model without position_ids:
    Range(0, seq) plus the past length, cast to float, times the inverse frequencies,
    each half repeated, then Cos and Sin."""
    g = GraphBuilder(seed)
    head_dim = hidden // heads
    seq, past = "sequence_length", "past_sequence_length"
    x = g.op("Gather", [g.weight((vocab, hidden), "embed_tokens", 0.02), "input_ids"], axis=0)
    inv_freq = 1.0 / (10000.0 ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
    axis1 = g.const(np.array([1], np.int64))
    past_length = g.op("Gather", [g.op("Shape", ["past_key_0"]), g.const(np.int64(2))], axis=0)
    seq_length = g.op("Gather", [g.op("Shape", ["input_ids"]), g.const(np.int64(1))], axis=0)
    total_length = g.op("Add", [past_length, seq_length])
    if positions == "input":
        angles = np.outer(np.arange(max_positions), inv_freq)
        angles = np.concatenate([angles, angles], axis=-1)
        cos = g.op("Unsqueeze", [g.op("Gather", [g.const(np.cos(angles).astype(np.float32)),
                                                 "position_ids"], axis=0), axis1])
        sin = g.op("Unsqueeze", [g.op("Gather", [g.const(np.sin(angles).astype(np.float32)),
                                                 "position_ids"], axis=0), axis1])
    else:
        steps = g.op("Range", [g.const(np.int64(0)), seq_length, g.const(np.int64(1))])
        position = g.op("Unsqueeze", [g.op("Add", [steps, past_length]),
                                      g.const(np.array([0, 2], np.int64))])
        freqs = g.op("Mul", [g.op("Cast", [position], to=TensorProto.FLOAT),
                             g.const(inv_freq.astype(np.float32).reshape(1, 1, -1))])
        angles = g.op("Concat", [freqs, freqs], axis=-1)
        cos = g.op("Unsqueeze", [g.op("Cos", [angles]), axis1])
        sin = g.op("Unsqueeze", [g.op("Sin", [angles]), axis1])
    axis0 = g.const(np.array([0], np.int64))
    size = g.op("Concat", [g.op("Unsqueeze", [seq_length, axis0]),
                           g.op("Unsqueeze", [total_length, axis0])], axis=0)
    ones = g.op("ConstantOfShape", [size], value=numpy_helper.from_array(np.array([1], np.int64)))
    causal = g.op("Cast", [g.op("Trilu", [ones, past_length], upper=0)], to=TensorProto.BOOL)
    neg = g.const(np.float32(np.finfo(np.float32).min))
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, seq])]
    if positions == "input":
        inputs.append(helper.make_tensor_value_info("position_ids", TensorProto.INT64, [1, seq]))
    outputs = []
    for layer in range(layers):
        p = f"layers.{layer}"

        def cache(k, v, layer=layer):
            for kind in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(
                    f"past_{kind}_{layer}", TensorProto.FLOAT, [1, kv_heads, past, head_dim]))
            k = g.op("Concat", [f"past_key_{layer}", k], axis=2)
            v = g.op("Concat", [f"past_value_{layer}", v], axis=2)
            outputs.extend(helper.make_tensor_value_info(
                t, TensorProto.FLOAT, [1, kv_heads, f"{past} + {seq}", head_dim]) for t in (k, v))
            return k, v, total_length

        x, h = llama_attention(g, x, (cos, sin, causal, neg), p, hidden, heads, kv_heads, seq,
                               cache)
        x = llama_mlp(g, x, h, p, hidden, intermediate)
    x = rms_norm(g, x, hidden, "norm")
    logits = g.op("MatMul", [x, g.weight((hidden, vocab), "lm_head", 0.02)])
    outputs.insert(0, helper.make_tensor_value_info(logits, TensorProto.FLOAT, [1, seq, vocab]))
    return g.model("llama_decode", inputs, outputs)


def swiglu(g, t, hidden, intermediate, prefix):
    """A SwiGLU FFN (LLaMA's MLP, Mixtral's expert): down(silu(gate(t)) * up(t))."""
    gate = g.op("MatMul", [t, g.weight((hidden, intermediate), prefix + ".w1")])
    gate = g.op("Mul", [gate, g.op("Sigmoid", [gate])])
    up = g.op("MatMul", [t, g.weight((hidden, intermediate), prefix + ".w3")])
    return g.op("MatMul", [g.op("Mul", [gate, up]), g.weight((intermediate, hidden), prefix + ".w2")])


def dense_moe(g, t, tokens, hidden, intermediate, experts=8, top_k=2, normalize=True,
              combine="stack", extra=(), prefix="moe"):
    """A mixture of SwiGLU experts in the dense-masked form exports write.

    `t` is [tokens, hidden] (Mixtral's `hidden_states.view(-1, hidden_dim)`).
    The router's softmax over the experts, TopK, optionally divided by the
    top-k sum (`normalize`: Mixtral; OLMoE and Qwen-MoE without
    norm_topk_prob do not), scattered into a [tokens, experts] mask of zeros
    (`zeros_like(probs).scatter(1, index, weight)`). Every expert runs on
    every token; `combine` weights them by the mask:

    - "stack": `(torch.stack(outputs, 1) * mask.unsqueeze(-1)).sum(1)`, as
      Unsqueeze, Concat, Mul and ReduceSum;
    - "columns": `sum(mask[:, e:e+1] * expert_e(t))`, a Slice and a Mul per
      expert, added in order.

    `extra` appends MoE++ zero-computation experts after the SwiGLU ones:
    "zero" (zeros; in the columns form its term is left out, as an export of
    `0 * x` folds), "copy" (the token itself), "constant" (a learned vector).
    """
    count = experts + len(extra)
    logits = g.op("MatMul", [t, g.weight((hidden, count), prefix + ".gate")])
    probs = g.op("Softmax", [logits], axis=-1)
    weight, index = g.op("TopK", [probs, g.const(np.array([top_k], np.int64))], outputs=2,
                         axis=-1)
    if normalize:
        weight = g.op("Div", [weight, g.op("ReduceSum", [weight,
                                                         g.const(np.array([-1], np.int64))],
                                           keepdims=1)])
    mask = g.op("ScatterElements", [g.const(np.zeros((tokens, count), np.float32)), index,
                                    weight], axis=1)
    outputs = [swiglu(g, t, hidden, intermediate, f"{prefix}.experts.{e}")
               for e in range(experts)]
    for kind in extra:
        if kind == "zero":
            outputs.append(None if combine == "columns"
                           else g.const(np.zeros((tokens, hidden), np.float32)))
        elif kind == "copy":
            outputs.append(t)
        elif kind == "constant":
            vector = g.weight((1, hidden), prefix + ".constant", 1.0)
            outputs.append(g.op("Expand", [vector,
                                           g.const(np.array([tokens, hidden], np.int64))]))
        else:
            raise ValueError(f"unknown zero-computation expert {kind!r}")
    if combine == "stack":
        axis1 = g.const(np.array([1], np.int64))
        stacked = g.op("Concat", [g.op("Unsqueeze", [y, axis1]) for y in outputs], axis=1)
        weighted = g.op("Mul", [stacked, g.op("Unsqueeze", [mask,
                                                            g.const(np.array([2], np.int64))])])
        return g.op("ReduceSum", [weighted, axis1], keepdims=0)
    total = None
    for e, y in enumerate(outputs):
        if y is None:
            continue
        column = g.op("Slice", [mask, g.const(np.array([e], np.int64)),
                                g.const(np.array([e + 1], np.int64)),
                                g.const(np.array([1], np.int64))])
        term = g.op("Mul", [y, column])
        total = term if total is None else g.op("Add", [total, term])
    return total


def mixtral(layers=2, hidden=256, heads=4, kv_heads=2, seq=128, vocab=1024, intermediate=512,
            experts=8, top_k=2, normalize=True, combine="stack", extra=(), dense=False, seed=0):
    """A Mixtral-style decoder over `seq` tokens (no KV cache; seq=1 is a
    decode step's FFN work): RMSNorm, rotary embeddings, grouped KV heads, a
    causal mask, and a mixture of SwiGLU experts in the dense-masked form
    (`dense_moe`) for the MLP. `dense=True` builds the same model with one
    SwiGLU MLP of `top_k * intermediate` instead: the FFN compute of the
    experts a token runs, the reference for the sparse dispatch's speed."""
    g = GraphBuilder(seed)
    x, rope = llama_embedding(g, hidden, heads, seq, vocab)
    for layer in range(layers):
        p = f"layers.{layer}"
        x, h = llama_attention(g, x, rope, p, hidden, heads, kv_heads, seq)
        t = g.op("Reshape", [h, g.const(np.array([seq, hidden], np.int64))])
        if dense:
            y = swiglu(g, t, hidden, top_k * intermediate, p + ".mlp")
        else:
            y = dense_moe(g, t, seq, hidden, intermediate, experts, top_k, normalize, combine,
                          extra, p + ".block_sparse_moe")
        x = g.op("Add", [x, g.op("Reshape", [y, g.const(np.array([1, seq, hidden], np.int64))])])
    x = rms_norm(g, x, hidden, "norm")
    logits = g.op("MatMul", [x, g.weight((hidden, vocab), "lm_head", 0.02)])
    return g.model("mixtral", [helper.make_tensor_value_info("input_ids", TensorProto.INT64,
                                                             [1, seq])],
                   [helper.make_tensor_value_info(logits, TensorProto.FLOAT, [1, seq, vocab])])


def vit(layers=12, hidden=768, heads=12, patch=16, image=224, classes=1000,
        intermediate=3072, seed=0):
    """A ViT encoder: patch embedding convolution, class token, position
    embeddings, pre-norm attention and GELU MLP blocks, classifier head."""
    g = GraphBuilder(seed)
    head_dim, patches = hidden // heads, (image // patch) ** 2
    seq = patches + 1
    x = g.op("Conv", ["pixel_values", g.weight((hidden, 3, patch, patch), "patch_embed"),
                      g.const(np.zeros(hidden, np.float32), "patch_embed.bias")],
             kernel_shape=[patch, patch], strides=[patch, patch])
    x = g.op("Reshape", [x, g.const(np.array([1, hidden, patches], np.int64))])
    x = g.op("Transpose", [x], perm=[0, 2, 1])
    cls = g.weight((1, 1, hidden), "cls_token", 0.02)
    x = g.op("Concat", [cls, x], axis=1)
    x = g.op("Add", [x, g.weight((1, seq, hidden), "position_embeddings", 0.02)])
    for layer in range(layers):
        p = f"encoder.layer.{layer}"
        h = layer_norm(g, x, hidden, p + ".layernorm_before", 1e-12)
        q = split_heads(g, linear(g, h, hidden, hidden, p + ".query"), seq, heads, head_dim)
        k = split_heads(g, linear(g, h, hidden, hidden, p + ".key"), seq, heads, head_dim)
        v = split_heads(g, linear(g, h, hidden, hidden, p + ".value"), seq, heads, head_dim)
        scores = g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])])
        scores = g.op("Div", [scores, g.const(np.float32(np.sqrt(head_dim)))])
        context = merge_heads(g, g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v]),
                              seq, hidden)
        x = g.op("Add", [x, linear(g, context, hidden, hidden, p + ".attention.output")])
        h = layer_norm(g, x, hidden, p + ".layernorm_after", 1e-12)
        h = linear(g, gelu_erf(g, linear(g, h, hidden, intermediate, p + ".intermediate")),
                   intermediate, hidden, p + ".output")
        x = g.op("Add", [x, h])
    x = layer_norm(g, x, hidden, "layernorm", 1e-12)
    cls_out = g.op("Gather", [x, g.const(np.array(0, np.int64))], axis=1)
    logits = linear(g, cls_out, hidden, classes, "classifier")
    return g.model("vit", [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT,
                                                         [1, 3, image, image])],
                   [helper.make_tensor_value_info(logits, TensorProto.FLOAT, [1, classes])])


# ---------------------------------------------------------------------------
# Recurrent
# ---------------------------------------------------------------------------

def recurrent_encoder(cell="GRU", layers=2, hidden=256, embed=256, seq=128, vocab=10000,
                      classes=64, seed=0):
    """A bidirectional GRU (or LSTM) tagger over token embeddings, batch first,
    as torch.onnx.export writes nn.GRU / nn.LSTM at opset 17: the batch-first
    input transposed to time-major, one ONNX recurrent node per layer with
    weights in ONNX gate order, a zero initial state and no sequence_lens
    (GRU with linear_before_reset=1), its [seq, 2, batch, hidden] output made
    the next layer's input by Transpose and Reshape, and a per-token Linear."""
    g = GraphBuilder(seed)
    gates = {"GRU": 3, "LSTM": 4}[cell]
    x = g.op("Gather", [g.weight((vocab, embed), "embedding.weight", 1.0), "input_ids"], axis=0)
    x = g.op("Transpose", [x], perm=[1, 0, 2])  # [seq, 1, embed]
    din = embed
    for layer in range(layers):
        p = f"rnn.l{layer}"
        scale = 1.0 / np.sqrt(hidden)  # torch's uniform(-1/sqrt(h), 1/sqrt(h)) range
        w = g.const(g.rng.uniform(-scale, scale, (2, gates * hidden, din)).astype(np.float32),
                    p + ".W")
        r = g.const(g.rng.uniform(-scale, scale, (2, gates * hidden, hidden)).astype(np.float32),
                    p + ".R")
        b = g.const(g.rng.uniform(-scale, scale, (2, 2 * gates * hidden)).astype(np.float32),
                    p + ".B")
        state = g.const(np.zeros((2, 1, hidden), np.float32), p + ".initial_h")
        inputs = [x, w, r, b, "", state]
        attrs = dict(hidden_size=hidden, direction="bidirectional")
        if cell == "GRU":
            attrs["linear_before_reset"] = 1
        else:
            inputs.append(g.const(np.zeros((2, 1, hidden), np.float32), p + ".initial_c"))
        y = g.op(cell, inputs, outputs=2 if cell == "GRU" else 3, **attrs)[0]
        y = g.op("Transpose", [y], perm=[0, 2, 1, 3])  # [seq, 1, 2, hidden]
        x = g.op("Reshape", [y, g.const(np.array([0, 0, -1], np.int64))])  # [seq, 1, 2 * hidden]
        din = 2 * hidden
    x = g.op("Transpose", [x], perm=[1, 0, 2])  # [1, seq, 2 * hidden]
    logits = linear(g, x, din, classes, "classifier")
    return g.model(cell.lower() + "_encoder",
                   [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, seq])],
                   [helper.make_tensor_value_info(logits, TensorProto.FLOAT, [1, seq, classes])])


def quantized(build, static=False):
    """A builder of `build()`'s model quantized by ONNX Runtime's quantizer:
    dynamically (int8 weights, activations quantized at run time) or
    statically in the QDQ format, calibrated on seeded random inputs."""
    def make():
        import tempfile

        from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                              quantize_dynamic, quantize_static)
        model = build()
        with tempfile.TemporaryDirectory(prefix="tcc-quantize-") as tmp:
            source, target = os.path.join(tmp, "fp32.onnx"), os.path.join(tmp, "int8.onnx")
            onnx.save(model, source)
            if not static:
                quantize_dynamic(source, target, weight_type=QuantType.QInt8)
                return onnx.load(target)

            class SeededInputs(CalibrationDataReader):
                def __init__(self):
                    rng = np.random.default_rng(0)
                    shapes = {i.name: [d.dim_value for d in i.type.tensor_type.shape.dim]
                              for i in model.graph.input}
                    self.samples = iter([{name: rng.standard_normal(shape).astype(np.float32)
                                          for name, shape in shapes.items()}
                                         for _ in range(8)])

                def get_next(self):
                    return next(self.samples, None)

            quantize_static(source, target, SeededInputs(), quant_format=QuantFormat.QDQ,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
            return onnx.load(target)
    return make


def weight_only_int4(build, block_size):
    """A builder of `build()`'s model with every MatMul's constant weights
    quantized to 4 bits in blocks of `block_size` rows by ONNX Runtime's
    weight-only quantizer, in its QDQ form (DequantizeLinear with
    block_size, then MatMul)."""
    def make():
        from onnxruntime.quantization import QuantFormat
        from onnxruntime.quantization.matmul_nbits_quantizer import (
            DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer)
        config = DefaultWeightOnlyQuantConfig(block_size=block_size, is_symmetric=True,
                                              quant_format=QuantFormat.QDQ)
        quantizer = MatMulNBitsQuantizer(build(), algo_config=config)
        quantizer.process()
        return quantizer.model.model
    return make


FULL = {
    "resnet50": lambda: resnet(),
    "mobilenet_v2": lambda: mobilenet_v2(),
    # MCUNet-like: MobileNetV2 at width 0.35 on 144x144 images (the MCU
    # setting of MCUNetV2's patch-based inference study).
    "mcunet_like": lambda: mobilenet_v2(width=0.35, image=144),
    "mobilenet_v3": lambda: mobilenet_v3(),
    "efficientnet_b0": lambda: efficientnet_b0(),
    "densenet121": lambda: densenet(),
    "squeezenet1_1": lambda: squeezenet(),
    "bert_base_s128": lambda: bert(),
    "bert_base_dynamic": lambda: bert(seq="sequence_length"),
    "gpt2_prefill_s128": lambda: gpt2(seq=128),
    "gpt2_decode_kv512": lambda: gpt2(seq=1, past=512),
    "gpt2_generate": lambda: gpt2(seq="sequence_length", past="past_sequence_length",
                                  positions="input"),
    "gpt2_decode_kv2048": lambda: gpt2(seq=1, past=2048),
    "gpt2_decode_kv8192": lambda: gpt2(seq=1, past=8192),
    "bert_base_s512": lambda: bert(seq=512),
    "gpt2_prefill_s512": lambda: gpt2(seq=512),
    "llama_s128": lambda: llama(),
    "vit_base": lambda: vit(),
    "yolo_detector": lambda: yolo(),
    "gru_encoder": lambda: recurrent_encoder("GRU"),
    "lstm_encoder": lambda: recurrent_encoder("LSTM"),
    "bert_base_s128_int8": quantized(lambda: bert()),
    "gpt2_decode_kv512_int8": quantized(lambda: gpt2(seq=1, past=512)),
    "gpt2_decode_kv512_int4": weight_only_int4(lambda: gpt2(seq=1, past=512), 32),
    "resnet50_int8": quantized(lambda: resnet(), static=True),
    "mobilenet_v2_int8": quantized(lambda: mobilenet_v2(), static=True),
}

SMALL = {
    "resnet_tiny": lambda: resnet(stages=(1, 1), widths=(8, 16), image=32, classes=10),
    "mobilenet_v2_tiny": lambda: mobilenet_v2(width=0.25, image=32, classes=10),
    "mobilenet_v3_tiny": lambda: mobilenet_v3(width=0.25, head=64, image=32, classes=10),
    "efficientnet_tiny": lambda: efficientnet_b0(width=0.25, depth=0.34, image=32, classes=10),
    "densenet_tiny": lambda: densenet(blocks=(2, 2), growth=4, init=8, bn_size=2, image=32,
                                      classes=10),
    "squeezenet_tiny": lambda: squeezenet(width=0.125, image=48, classes=10),
    "bert_tiny": lambda: bert(layers=2, hidden=32, heads=2, seq=8, vocab=64, intermediate=64),
    "bert_tiny_dynamic": lambda: bert(layers=2, hidden=32, heads=2, seq="sequence_length",
                                      vocab=64, intermediate=64),
    "bert_tiny_dynamic_batch": lambda: bert(layers=2, hidden=32, heads=2, seq="sequence_length",
                                            vocab=64, intermediate=64, batch="batch_size"),
    "gpt2_tiny": lambda: gpt2(layers=2, hidden=32, heads=2, seq=8, vocab=64),
    "gpt2_tiny_decode": lambda: gpt2(layers=2, hidden=32, heads=2, seq=1, past=7, vocab=64),
    "gpt2_tiny_cached": lambda: gpt2(layers=2, hidden=32, heads=2, seq=1,
                                     past="past_sequence_length", vocab=64,
                                     positions="input"),
    "gpt2_tiny_cached_s4": lambda: gpt2(layers=2, hidden=32, heads=2, seq=4,
                                        past="past_sequence_length", vocab=64,
                                        positions="input"),
    "gpt2_tiny_cached_steps": lambda: gpt2(layers=2, hidden=32, heads=2,
                                           seq="sequence_length",
                                           past="past_sequence_length", vocab=64,
                                           positions="input"),
    "llama_tiny_cached": lambda: llama_cached(),
    "llama_tiny_cached_shape_positions": lambda: llama_cached(positions="shape"),
    "gpt2_tiny_cached_shape_positions": lambda: gpt2(
        layers=2, hidden=32, heads=2, seq=1, past="past_sequence_length", vocab=64,
        positions="shape"),
    "gpt2_tiny_cached_doubled_positions": lambda: gpt2(
        layers=2, hidden=32, heads=2, seq=1, past="past_sequence_length", vocab=64,
        positions="doubled"),
    "gpt2_tiny_cached_mask": lambda: gpt2(
        layers=2, hidden=32, heads=2, seq="sequence_length", past="past_sequence_length",
        vocab=64, positions="shape", mask=True),
    "gpt2_tiny_cached_mask_batch": lambda: gpt2(
        layers=2, hidden=32, heads=2, seq="sequence_length", past="past_sequence_length",
        vocab=64, positions="shape", mask=True, batch="batch_size"),
    "llama_tiny": lambda: llama(layers=2, hidden=32, heads=4, kv_heads=2, seq=8, vocab=64,
                                intermediate=48),
    "vit_tiny": lambda: vit(layers=2, hidden=32, heads=2, patch=8, image=32, classes=10,
                            intermediate=64),
    "yolo_tiny": lambda: yolo(width=1 / 32, max_channels=512, divisor=4, image=64, classes=4,
                              reg_max=4, head_min=8, gain=3.0),
    "gru_tiny": lambda: recurrent_encoder("GRU", hidden=16, embed=16, seq=8, vocab=64,
                                          classes=10),
    "lstm_tiny": lambda: recurrent_encoder("LSTM", hidden=16, embed=16, seq=8, vocab=64,
                                           classes=10),
    "bert_tiny_int8": quantized(
        lambda: bert(layers=2, hidden=32, heads=2, seq=8, vocab=64, intermediate=64)),
    "gpt2_tiny_decode_int8": quantized(
        lambda: gpt2(layers=2, hidden=32, heads=2, seq=1, past=7, vocab=64)),
    "gpt2_tiny_decode_int4": weight_only_int4(
        lambda: gpt2(layers=2, hidden=32, heads=2, seq=1, past=7, vocab=64), 16),
    "gpt2_tiny_int4": weight_only_int4(
        lambda: gpt2(layers=2, hidden=32, heads=2, seq=8, vocab=64), 16),
    "resnet_tiny_int8": quantized(
        lambda: resnet(stages=(1, 1), widths=(8, 16), image=32, classes=10), static=True),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--small", action="store_true", help="the small CI variants")
    parser.add_argument("names", nargs="*", help="models to build (default: all)")
    args = parser.parse_args()
    table = SMALL if args.small else FULL
    os.makedirs(args.out, exist_ok=True)
    for name in args.names or table:
        model = table[name]()
        onnx.checker.check_model(model)
        path = os.path.join(args.out, name + ".onnx")
        large = model.ByteSize() > 1 << 30
        onnx.save(model, path, save_as_external_data=large,
                  location=name + ".onnx.data" if large else None)
        print(f"{path}: {len(model.graph.node)} nodes, "
              f"{sum(np.prod(t.dims) for t in model.graph.initializer) / 1e6:.1f} M parameters")


if __name__ == "__main__":
    main()
