#!/usr/bin/python3
"""A small client for the GrpcService sample, using Debian's grpcio (run it with /usr/bin/python3).

    users_client.py [--target 127.0.0.1:50051] get 1
    users_client.py list [--delay-ms 500]
    users_client.py create "Edsger Dijkstra" edsger@example.org
    users_client.py health [service]        # grpc.health.v1 Check
    users_client.py watch [service]         # grpc.health.v1 Watch, prints every change
    users_client.py loop                    # GetUser every 200 ms: shows OK / UNAVAILABLE during maintenance

The message modules are generated on each run with protoc (Debian protobuf-compiler) from
../Protos/users.proto and /usr/share/grpc-proto (Debian grpc-proto) into a temporary directory.
"""
import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))


def load_module(name, proto_dir, proto_file, out_dir):
    subprocess.run(["protoc", f"-I{proto_dir}", f"--python_out={out_dir}", proto_file], check=True)
    path = os.path.join(out_dir, proto_file.replace(".proto", "_pb2.py"))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default=os.environ.get("GRPC_TARGET", "127.0.0.1:" + os.environ.get("PORT", "50051")))
    parser.add_argument("command", choices=["get", "list", "create", "health", "watch", "loop"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--delay-ms", type=int, default=0)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as out_dir:
        users = load_module("users_pb2", os.path.join(HERE, "..", "Protos"), "users.proto", out_dir)
        health = load_module("health_pb2", "/usr/share/grpc-proto", "grpc/health/v1/health.proto", out_dir)

    channel = grpc.insecure_channel(options.target)

    def unary(method, response):
        return channel.unary_unary(method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=response.FromString)

    def stream(method, response):
        return channel.unary_stream(method, request_serializer=lambda m: m.SerializeToString(), response_deserializer=response.FromString)

    get_user = unary("/users.v1.UserService/GetUser", users.User)
    status_name = health.HealthCheckResponse.ServingStatus.Name
    try:
        if options.command == "get":
            print(get_user(users.GetUserRequest(id=int(options.args[0])), timeout=10))
        elif options.command == "list":
            for user in stream("/users.v1.UserService/ListUsers", users.User)(users.ListUsersRequest(delay_ms=options.delay_ms)):
                print(f"{user.id}: {user.name} <{user.email}>")
        elif options.command == "create":
            create = unary("/users.v1.UserService/CreateUser", users.User)
            print(create(users.CreateUserRequest(name=options.args[0], email=options.args[1]), timeout=10))
        elif options.command == "health":
            check = unary("/grpc.health.v1.Health/Check", health.HealthCheckResponse)
            service = options.args[0] if options.args else ""
            print(status_name(check(health.HealthCheckRequest(service=service), timeout=10).status))
        elif options.command == "watch":
            watch = stream("/grpc.health.v1.Health/Watch", health.HealthCheckResponse)
            for update in watch(health.HealthCheckRequest(service=options.args[0] if options.args else "")):
                print(time.strftime("%H:%M:%S"), status_name(update.status), flush=True)
        elif options.command == "loop":
            while True:
                try:
                    user = get_user(users.GetUserRequest(id=1), timeout=5)
                    print(time.strftime("%H:%M:%S"), "OK", user.name, flush=True)
                except grpc.RpcError as error:
                    print(time.strftime("%H:%M:%S"), error.code().name, error.details(), flush=True)
                time.sleep(0.2)
    except grpc.RpcError as error:
        print(f"{error.code().name}: {error.details()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
