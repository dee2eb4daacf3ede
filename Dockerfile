# Tracker in a container: docker build -t tracker . && docker run -p 5080:5080 -v tracker-data:/data tracker
#
# Debian bookworm in both stages, because the engine runs on bookworm's libtorch 1.13 (docs/decisions/0001);
# Microsoft's .NET images are not bookworm-based for .NET 10, so their dotnet folders are copied in instead.
# Both stages install packages with the functions ./run.sh and ./test.sh use (scripts/common.sh), so the
# package lists and the publish step are the ones CI exercises. CPU only; README.md says how to build for CUDA.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS dotnet-sdk
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS dotnet-runtime

FROM debian:bookworm AS build
COPY --from=dotnet-sdk /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
WORKDIR /src
# Packages first: this layer stays cached until the package lists change.
COPY scripts/common.sh scripts/common.sh
RUN bash -c 'source scripts/common.sh && ensure_apt_packages "${TRACKER_BUILD_PACKAGES[@]}" "${TRACKER_RUNTIME_PACKAGES[@]}"'
COPY . .
# Builds the native shim (CMake, from Tracker.Training.csproj) and publishes the web app with it.
RUN bash -c 'source scripts/common.sh && publish_web /app'

FROM debian:bookworm AS runtime
COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
COPY scripts/common.sh /tmp/common.sh
RUN bash -c 'source /tmp/common.sh && ensure_apt_packages "${TRACKER_RUNTIME_PACKAGES[@]}"' \
    && rm -rf /var/lib/apt/lists/* /tmp/common.sh \
    && useradd --system --uid 10001 --create-home --home-dir /home/tracker tracker \
    && mkdir -p /data && chown tracker: /data
COPY --from=build /app /app
# The SQLite database and every run's checkpoints; mount a volume here to keep them.
VOLUME /data
ENV Database__SqlitePath=/data/tracker.db \
    Jobs__RunsDirectory=/data/runs \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
USER tracker
WORKDIR /app
EXPOSE 5080
ENTRYPOINT ["dotnet", "Tracker.Web.dll", "--urls", "http://0.0.0.0:5080"]
