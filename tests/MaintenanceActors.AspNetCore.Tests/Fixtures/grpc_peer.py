"""A real gRPC peer for the tests: Debian's grpcio driven by JSON lines on stdin.

Each request line carries an "id"; every answer or event line echoes it. Calls run on
their own threads so streams (Watch, server streaming) can stay open while the test
sends more commands.
"""
import importlib.util
import json
import sys
import threading

import grpc
from google.protobuf import wrappers_pb2

target, health_module_path = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("health_pb2", health_module_path)
health_pb2 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(health_pb2)

channel = grpc.insecure_channel(target)
out_lock = threading.Lock()
calls = {}


def emit(**fields):
    with out_lock:
        sys.stdout.write(json.dumps(fields) + "\n")
        sys.stdout.flush()


def status_name(value):
    return health_pb2.HealthCheckResponse.ServingStatus.Name(value)


def failure(call_id, error, event=None):
    fields = {"id": call_id, "code": error.code().name, "details": error.details() or ""}
    if event:
        fields["event"] = event
    emit(**fields)


def unary(cmd):
    method = channel.unary_unary(cmd["method"], request_serializer=lambda b: b, response_deserializer=lambda b: b)
    if "hex" in cmd:
        payload = bytes.fromhex(cmd["hex"])
    else:
        payload = wrappers_pb2.StringValue(value=cmd.get("text", "")).SerializeToString()
    try:
        reply = method(payload, timeout=cmd.get("timeout", 10))
        emit(id=cmd["id"], code="OK", text=wrappers_pb2.StringValue.FromString(reply).value)
    except grpc.RpcError as error:
        failure(cmd["id"], error)


def check(cmd):
    method = channel.unary_unary("/grpc.health.v1.Health/Check",
                                 request_serializer=lambda m: m.SerializeToString(),
                                 response_deserializer=health_pb2.HealthCheckResponse.FromString)
    try:
        reply = method(health_pb2.HealthCheckRequest(service=cmd.get("service", "")), timeout=10)
        emit(id=cmd["id"], code="OK", status=status_name(reply.status))
    except grpc.RpcError as error:
        failure(cmd["id"], error)


def consume_stream(cmd, call, describe):
    calls[cmd["id"]] = call
    try:
        for message in call:
            emit(id=cmd["id"], event="message", **describe(message))
        emit(id=cmd["id"], event="end", code="OK", details="")
    except grpc.RpcError as error:
        failure(cmd["id"], error, event="end")


def watch(cmd):
    method = channel.unary_stream("/grpc.health.v1.Health/Watch",
                                  request_serializer=lambda m: m.SerializeToString(),
                                  response_deserializer=health_pb2.HealthCheckResponse.FromString)
    call = method(health_pb2.HealthCheckRequest(service=cmd.get("service", "")))
    consume_stream(cmd, call, lambda m: {"status": status_name(m.status)})


def stream(cmd):
    method = channel.unary_stream(cmd["method"], request_serializer=lambda b: b,
                                  response_deserializer=wrappers_pb2.StringValue.FromString)
    call = method(wrappers_pb2.StringValue(value=cmd.get("text", "")).SerializeToString())
    consume_stream(cmd, call, lambda m: {"text": m.value})


def cancel(cmd):
    call = calls.get(cmd["call"])
    if call is not None:
        call.cancel()
    emit(id=cmd["id"], code="OK")


operations = {"unary": unary, "check": check, "watch": watch, "stream": stream, "cancel": cancel}
emit(id=0, event="ready", grpcio=grpc.__version__)
for line in sys.stdin:
    if not line.strip():
        continue
    command = json.loads(line)
    threading.Thread(target=operations[command["op"]], args=(command,), daemon=True).start()
