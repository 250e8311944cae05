#!/usr/bin/python3
"""A second gRPC client: Debian's python3-grpcio (not our C++ stack) against the real server.

Messages come from our .proto compiled by protoc --python_out (python3-protobuf); calls go through
grpcio's generic unary_unary with the OIP v2 method paths, so no grpc_tools are needed. Checks the
RPCs, typed and raw inference against Debian's python3-xgboost, and status codes.

usage: grpc_python_client_test.py FINSERVE_BINARY PROTOC SOURCE_DIR
"""
import importlib
import json
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

import grpc
import numpy as np
import xgboost as xgb

SERVICE = "/inference.GRPCInferenceService/"


def compile_proto(protoc, source_dir, out_dir):
    proto_dir = os.path.join(source_dir, "src/grpc/proto")
    subprocess.run([protoc, "--proto_path=" + proto_dir, "--python_out=" + out_dir,
                    os.path.join(proto_dir, "grpc_service.proto")], check=True)
    sys.path.insert(0, out_dir)
    return importlib.import_module("grpc_service_pb2")


def start_server(binary, repository, state_dir, log_path):
    log = open(log_path, "w")
    proc = subprocess.Popen([binary, "serve", "--model-repository", repository, "--state-dir", state_dir,
                             "--insecure-no-auth", "--http-port", "0", "--grpc-port", "0"],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    deadline = time.monotonic() + 30
    grpc_port = None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "gRPC listening on" in line:
            grpc_port = int(line.strip().rsplit(":", 1)[1])
        if "listening on http" in line:
            return proc, grpc_port
    proc.kill()
    raise RuntimeError("server did not start; log in " + log_path)


class Client:
    def __init__(self, channel, pb):
        self.channel, self.pb = channel, pb

    def call(self, rpc, request, response_type):
        method = self.channel.unary_unary(SERVICE + rpc, request_serializer=lambda m: m.SerializeToString(),
                                          response_deserializer=response_type.FromString)
        return method(request, timeout=20)


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok:", what)


def main():
    binary, protoc, source_dir = sys.argv[1:4]
    work = tempfile.mkdtemp(prefix="finserve-pyclient-")
    pb = compile_proto(protoc, source_dir, work)
    repository = os.path.join(work, "repo")
    shutil.copytree(os.path.join(source_dir, "examples/model-repository"), repository)
    with open(os.path.join(source_dir, "examples/requests/credit_gbdt_infer.json")) as f:
        example = json.load(f)
    rows = np.array([[math.nan if v is None else v for v in row] for row in example["inputs"][0]["data"]],
                    dtype=np.float32)
    booster = xgb.Booster(model_file=os.path.join(repository, "credit_gbdt/1/model.json"))
    want_probability = booster.predict(xgb.DMatrix(rows, missing=math.nan), validate_features=False)
    want_margin = booster.predict(xgb.DMatrix(rows, missing=math.nan), output_margin=True, validate_features=False)

    proc, port = start_server(binary, repository, os.path.join(work, "state"), os.path.join(work, "server.log"))
    try:
        check(port is not None and port > 0, "server printed its gRPC port")
        client = Client(grpc.insecure_channel("127.0.0.1:%d" % port), pb)
        check(client.call("ServerLive", pb.ServerLiveRequest(), pb.ServerLiveResponse).live, "ServerLive")
        check(client.call("ServerReady", pb.ServerReadyRequest(), pb.ServerReadyResponse).ready, "ServerReady")
        md = client.call("ModelMetadata", pb.ModelMetadataRequest(name="credit_gbdt"), pb.ModelMetadataResponse)
        check(md.platform == "xgboost_json" and list(md.inputs[0].shape) == [-1, 25], "ModelMetadata")

        def request(raw):
            r = pb.ModelInferRequest(model_name="credit_gbdt", id="py-1")
            t = r.inputs.add(name="features", datatype="FP32", shape=list(rows.shape))
            if raw:
                r.raw_input_contents.append(rows.tobytes())
            else:
                t.contents.fp32_contents.extend(rows.flatten().tolist())
            return r

        for raw in (False, True):
            answer = client.call("ModelInfer", request(raw), pb.ModelInferResponse)
            check(answer.id == "py-1" and len(answer.parameters["model_sha256"].string_param) == 64,
                  "ModelInfer identity (raw=%s)" % raw)
            for i, out in enumerate(answer.outputs):
                if raw:
                    got = np.frombuffer(answer.raw_output_contents[i], dtype="<f4")
                else:
                    got = np.array(out.contents.fp32_contents, dtype=np.float32)
                want = want_probability if out.name == "probability" else want_margin
                check(np.allclose(got, want, rtol=0, atol=1e-6), "%s equals XGBoost (raw=%s)" % (out.name, raw))

        def code_of(req):
            try:
                client.call("ModelInfer", req, pb.ModelInferResponse)
            except grpc.RpcError as e:
                return e.code(), e.details()
            return grpc.StatusCode.OK, ""

        bad = request(False)
        bad.model_name = "no_such_model"
        check(code_of(bad)[0] == grpc.StatusCode.NOT_FOUND, "unknown model is NOT_FOUND")
        bad = request(False)
        del bad.inputs[0].contents.fp32_contents[-1]
        code, details = code_of(bad)
        check(code == grpc.StatusCode.INVALID_ARGUMENT and "fp32_contents has 49" in details,
              "short data is INVALID_ARGUMENT: " + details)
        garbage = client.channel.unary_unary(SERVICE + "ModelInfer", request_serializer=None,
                                             response_deserializer=None)
        try:
            garbage(b"\xff\xff\xff\xff", timeout=20)
            check(False, "garbage refused")
        except grpc.RpcError as e:
            check(e.code() == grpc.StatusCode.INVALID_ARGUMENT and "not a valid" in e.details(),
                  "garbage refused: " + e.details())
        check(client.call("ServerLive", pb.ServerLiveRequest(), pb.ServerLiveResponse).live, "still live")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    check(code == 0, "clean exit on SIGTERM")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
