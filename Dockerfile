# The image of one .NET service, chosen by two build arguments (compose.yaml passes them for each service):
#   SERVICE   its folder:   proxy | socket-hub | backend-reservation
#   ASSEMBLY  its assembly: YarpWaitingRoom.Proxy | YarpWaitingRoom.SocketHub | YarpWaitingRoom.Reservation
# Build context is the repository root, e.g.
#   docker build --build-arg SERVICE=proxy --build-arg ASSEMBLY=YarpWaitingRoom.Proxy -t yarp-waiting-room-proxy .
# The proxy: YARP with the waiting room (waiting-room-yarp/, the YarpWaitingRoom.Yarp library): the gate, switch evaluator, admission scheduler, reaper and admin API. The socket hub: the
# waiting page (waiting-room-hub/, the YarpWaitingRoom.Hub library; its assets are embedded) and its WebSocket sessions. The reservation backend: the ticket
# API on PostgreSQL (migrates and seeds at start-up, one instance at a time).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG SERVICE
ARG ASSEMBLY
WORKDIR /src
# Restore from the project files alone (central package management: the versions live in Directory.Packages.props),
# so a change to the sources reuses the restored layer.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY waiting-room/YarpWaitingRoom.Core.csproj waiting-room/
COPY waiting-room-yarp/YarpWaitingRoom.Yarp.csproj waiting-room-yarp/
COPY waiting-room-hub/YarpWaitingRoom.Hub.csproj waiting-room-hub/
COPY service-defaults/YarpWaitingRoom.ServiceDefaults.csproj service-defaults/
COPY ${SERVICE}/${ASSEMBLY}.csproj ${SERVICE}/
RUN dotnet restore ${SERVICE}/${ASSEMBLY}.csproj
COPY waiting-room/ waiting-room/
COPY waiting-room-yarp/ waiting-room-yarp/
COPY waiting-room-hub/ waiting-room-hub/
COPY service-defaults/ service-defaults/
COPY ${SERVICE}/ ${SERVICE}/
RUN dotnet publish ${SERVICE}/${ASSEMBLY}.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
ARG ASSEMBLY
# The runtime image has neither curl nor wget; curl makes the health check the same one ./stack uses (curl -f /readyz).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_HTTP_PORTS=8080
# Build arguments do not outlive the build: the entry point finds the assembly in the image's environment.
ENV APP_ASSEMBLY=${ASSEMBLY}.dll
EXPOSE 8080
# APP_UID (1654, user "app") is defined by the .NET 8+ base images: never run as root.
USER $APP_UID
# /readyz: what the service needs answers (proxy and hub: Redis; backend: PostgreSQL and a current schema, while a
# silent Redis only degrades it).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:8080/readyz || exit 1
# exec: dotnet replaces the shell as process 1 and receives the stop signal itself.
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"$APP_ASSEMBLY\" \"$@\"", "--"]
