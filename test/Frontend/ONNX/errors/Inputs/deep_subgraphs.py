"""Writes models whose If nodes nest their then-branches DEPTH deep into the
folder argv[1]: deep-DEPTH.onnxtxt in the text syntax for each DEPTH in
argv[2:], and deep-DEPTH.onnx as protobuf bytes for each DEPTH prefixed with
'b' (b3000). The bytes are written by hand: the onnx package copies a whole
subgraph per level and would take minutes to build a deep one."""
import os
import sys

out = sys.argv[1]
HEADER = '<ir_version: 8, opset_import: ["" : 17]>\n'


def text_model(depth):
    # Innermost first: level d's then-branch holds level d + 1's If.
    body = "o%d = Neg (X)" % depth
    for d in range(depth - 1, -1, -1):
        body = ("o%d = If (K) <then_branch = t%d () => (float[3] o%d) { %s }, "
                "else_branch = e%d () => (float[3] p%d) { p%d = Abs (X) }>"
                % (d, d, d + 1, body, d, d + 1, d + 1))
    return (HEADER + "deep (float[3] X) => (float[3] o0) {\n"
            "  K = Constant <value: tensor = bool {1}> ()\n  " + body + "\n}\n")


def key(field, wire):
    return varint((field << 3) | wire)


def varint(n):
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def field(number, payload):
    return key(number, 2) + varint(len(payload)) + payload


def binary_model(depth):
    # GraphProto: node = 1, name = 2, output = 12. NodeProto: input = 1,
    # output = 2, op_type = 4, attribute = 5. AttributeProto: name = 1,
    # g = 6, type = 20 (GRAPH = 5). ValueInfoProto: name = 1.
    graph = field(1, field(1, b"X") + field(2, b"o") + field(4, b"Neg"))
    graph += field(2, b"g") + field(12, field(1, b"o"))
    for _ in range(depth):
        attribute = field(1, b"then_branch") + field(6, graph) + key(20, 0) + varint(5)
        node = field(1, b"K") + field(2, b"o") + field(4, b"If") + field(5, attribute)
        graph = field(1, node) + field(2, b"g") + field(12, field(1, b"o"))
    # The main graph's input X (float[3], TypeProto.tensor_type = 1 with
    # elem_type = 1, shape = 2) and the initializer K (TensorProto: data_type
    # = 2 (BOOL = 9), int32_data = 5, name = 8).
    shape = field(2, field(1, key(1, 0) + varint(3)))
    graph += field(11, field(1, b"X") + field(2, field(1, key(1, 0) + varint(1) + shape)))
    graph += field(5, key(2, 0) + varint(9) + key(5, 0) + varint(1) + field(8, b"K"))
    opset = field(1, b"") + key(2, 0) + varint(17)
    return key(1, 0) + varint(8) + field(7, graph) + field(8, opset)


for arg in sys.argv[2:]:
    if arg.startswith("b"):
        with open(os.path.join(out, "deep-%s.onnx" % arg[1:]), "wb") as f:
            f.write(binary_model(int(arg[1:])))
    else:
        with open(os.path.join(out, "deep-%s.onnxtxt" % arg), "w") as f:
            f.write(text_model(int(arg)))
