#!/usr/bin/python3
"""Writes the seed corpus of grpc_infer_request_fuzz: ModelInferRequest messages encoded by hand
from the published OIP v2 field numbers (typed contents, raw_input_contents, parameters,
requested outputs), so the fuzzer starts from the shapes real clients send.

Run: /usr/bin/python3 fuzz/grpc_infer_request_corpus.py
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "grpc_infer_request")


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def key(field, wire):
    return varint(field << 3 | wire)


def vint(field, n):
    return key(field, 0) + varint(n)


def ld(field, payload):
    payload = payload.encode() if isinstance(payload, str) else payload
    return key(field, 2) + varint(len(payload)) + payload


def packed(field, values, fmt=None):
    body = b"".join(struct.pack(fmt, v) for v in values) if fmt else b"".join(varint(v) for v in values)
    return ld(field, body)


# ModelInferRequest: model_name 1, model_version 2, id 3, parameters 4, inputs 5, outputs 6,
# raw_input_contents 7. InferInputTensor: name 1, datatype 2, shape 3, parameters 4, contents 5.
# InferTensorContents: bool 1, int 2, int64 3, uint 4, uint64 5, fp32 6, fp64 7, bytes 8.
# InferParameter: bool_param 1, int64_param 2, string_param 3. Map entry: key 1, value 2.
def tensor(name, datatype, shape, contents=b""):
    body = ld(1, name) + ld(2, datatype) + packed(3, shape)
    return body + (ld(5, contents) if contents else b"")


def param(name, value):
    return ld(4, ld(1, name) + ld(2, value))


def request(*parts):
    return b"".join(parts)


FEATURES = [0.3, 12.0, 5000.0, 0.0, 1.0, 2.5, 40.0, 0.7]
seeds = {
    "fp32_typed": request(ld(1, "credit_gbdt"), ld(3, "r1"),
                          ld(5, tensor("features", "FP32", [1, 8], packed(6, FEATURES, "<f"))),
                          ld(6, ld(1, "probability"))),
    "fp32_raw": request(ld(1, "credit_gbdt"), ld(2, "1"), ld(5, tensor("features", "FP32", [2, 4])),
                        ld(7, struct.pack("<8f", *FEATURES))),
    "mixed_types": request(ld(1, "m"), param("timeout", vint(2, 5000)),
                           ld(5, tensor("a", "INT64", [3], packed(3, [1, 2, 3])) + param("x", ld(3, "y"))),
                           ld(5, tensor("b", "BOOL", [2], packed(1, [1, 0]))),
                           ld(5, tensor("c", "FP64", [1], packed(7, [1.5], "<d"))),
                           ld(5, tensor("d", "BYTES", [2], ld(8, "ab") + ld(8, "")))),
    "raw_fp16": request(ld(1, "m"), ld(5, tensor("h", "FP16", [2])), ld(7, struct.pack("<2e", 1.0, -2.0))),
    "int32_uint": request(ld(1, "m"), ld(5, tensor("i", "INT32", [2], packed(2, [7, -1]))),
                          ld(5, tensor("u", "UINT64", [1], packed(5, [9])))),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name + ".pb"), "wb") as f:
        f.write(data)
