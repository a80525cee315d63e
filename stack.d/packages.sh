# shellcheck shell=bash
# The NuGet packages (YarpWaitingRoom.Core, YarpWaitingRoom.Yarp, YarpWaitingRoom.Hub): needs the .NET SDK only. Sourced by ./stack.

# The projects packed, in dependency order.
PACKED_PROJECTS=(
  "waiting-room/YarpWaitingRoom.Core.csproj"
  "waiting-room-yarp/YarpWaitingRoom.Yarp.csproj"
  "waiting-room-hub/YarpWaitingRoom.Hub.csproj"
)

# pack_packages DIR: a clean Release build of each packed project as CI builds it (deterministic, SourceLink paths
# mapped to /_/), its .nupkg and .snupkg written to DIR after the old ones there are deleted; prints the files written.
# The build goes to $ROOT/artifacts/build (inside the repository, so its paths are mapped too, and never the bin/ and
# obj/ of a developer's build), emptied first so every pack compiles from the sources.
pack_packages() {
  local dir="$1" build="$ROOT/artifacts/build" project
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  rm -f "$dir"/*.nupkg "$dir"/*.snupkg
  rm -rf "$build"
  for project in "${PACKED_PROJECTS[@]}"; do
    say "packing $project"
    (cd "$ROOT" && dotnet pack "$project" -c Release -p:ContinuousIntegrationBuild=true --artifacts-path "$build" \
      -o "$dir" -nologo -v quiet -clp:ErrorsOnly) || die "dotnet pack $project failed"
  done
  say "packages in $dir"
  ls -1 "$dir"/*.nupkg "$dir"/*.snupkg
}
