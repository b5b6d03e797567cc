"""A real grpcio server for the call-layer specs. Payloads are raw bytes: the specs frame their own protobuf messages."""
import sys
import time
from concurrent import futures

import grpc


def field1(text):
    """Encodes text as protobuf field 1 (length-delimited), which parses as AuthenticateRequest.name on the .NET side."""
    data = text.encode("utf-8")
    length, varint = len(data), b""
    while True:
        byte = length & 0x7F
        length >>= 7
        varint += bytes([byte | (0x80 if length else 0)])
        if not length:
            return b"\x0a" + varint + data


def unary(request, context):
    return request


def fail(request, context):
    context.abort(grpc.StatusCode.PERMISSION_DENIED, "nope: café 100%")


def fail_after_message(request, context):
    yield request
    context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "stopped after one")


def server_stream(request, context):
    for _ in range(3):
        yield request


def echo_metadata(request, context):
    metadata = dict(context.invocation_metadata())
    remaining = context.time_remaining()
    return field1("x-custom=%s;deadline=%s" % (metadata.get("x-custom", ""), "none" if remaining is None else "%.1f" % remaining))


def slow(request, context):
    time.sleep(5)
    return request


def duplex(request_iterator, context):
    for request in request_iterator:
        yield request


handlers = {
    "Unary": grpc.unary_unary_rpc_method_handler(unary),
    "Fail": grpc.unary_unary_rpc_method_handler(fail),
    "FailAfterMessage": grpc.unary_stream_rpc_method_handler(fail_after_message),
    "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
    "Metadata": grpc.unary_unary_rpc_method_handler(echo_metadata),
    "Slow": grpc.unary_unary_rpc_method_handler(slow),
    "Duplex": grpc.stream_stream_rpc_method_handler(duplex),
}

server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Peer", handlers),))
server.add_insecure_port("127.0.0.1:%s" % sys.argv[1])
server.start()
print("ready", flush=True)
server.wait_for_termination()
