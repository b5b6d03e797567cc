#!/usr/bin/env bash
# Check: the libraries are consumable as packages. Packs every packable project under src/ into a local folder,
# then builds a small ASP.NET Core app that references MaintenanceActors.AspNetCore from that folder feed (no
# ProjectReference), with the two lines a user adds. Fails if a package is missing, lacks its README or license,
# or the app does not build against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
version="0.0.0-check.$(date +%s)"

for project in src/*/*.csproj; do
  dotnet pack "$project" -c Release -o "$feed" -p:Version="$version" --nologo -v q > "$work/pack.log" 2>&1 \
    || { echo "packages: dotnet pack $project failed:" >&2; tail -20 "$work/pack.log" >&2; exit 1; }
done
for id in MaintenanceActors MaintenanceActors.AspNetCore MaintenanceActors.EntityFrameworkCore MaintenanceActors.Sqs MaintenanceActors.Dashboard MaintenanceActors.Failover MaintenanceActors.Kafka; do
  nupkg="$feed/$id.$version.nupkg"
  [ -f "$nupkg" ] || { echo "packages: $id was not packed" >&2; exit 1; }
  python3 - "$nupkg" "$id" <<'PY'
import sys, zipfile, re
path, id = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(path)
nuspec = z.read(f"{id}.nuspec").decode()
missing = [what for what, pattern in [("readme", r"<readme>README.md</readme>"), ("license", r'<license type="expression">MIT</license>'),
           ("description", r"<description>[^<]{20,}</description>")] if not re.search(pattern, nuspec)]
if "README.md" not in z.namelist():
    missing.append("README.md file")
if missing:
    sys.exit(f"packages: {id} lacks {', '.join(missing)}")
PY
done

app="$work/app"
mkdir -p "$app"
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-check" value="$feed" />
  </packageSources>
</configuration>
XML
cat > "$app/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <NoWarn>NU1603</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="MaintenanceActors.AspNetCore" Version="$version" />
  </ItemGroup>
</Project>
XML
cat > "$app/Program.cs" <<'CS'
using MaintenanceActors;
using MaintenanceActors.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMaintenance(m => m.UseEtcd(etcd => { etcd.Endpoints = ["127.0.0.1:2379"]; etcd.Key = "/maintenance/app"; }).AddHttpDrain());
var app = builder.Build();
app.UseMaintenance();
app.MapGet("/", () => "ok");
app.Run();
CS
# Outside the repository, so the repo's Directory.*.props do not apply: exactly what a user's project sees.
if ! (cd "$app" && dotnet build -c Release --nologo -v q > "$work/build.log" 2>&1); then
  echo "packages: an app referencing the packed MaintenanceActors.AspNetCore does not build:" >&2; tail -30 "$work/build.log" >&2; exit 1
fi
echo "packages: ok (packed $(ls "$feed"/*.nupkg | wc -l) packages; an app built against MaintenanceActors.AspNetCore $version from a folder feed)"
