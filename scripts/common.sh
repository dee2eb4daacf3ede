# Shared by run.sh, test.sh, the benchmarks and the Dockerfile: one place for the prerequisites.
# Sourced, not executed.

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the build and the app need: libtorch (the engine), cmake and g++ (the shim),
# Fashion-MNIST (the default dataset), and OpenBLAS: Debian's libtorch calls the system BLAS,
# and with only the reference BLAS a 512x512 matmul runs at ~5 GFLOP/s instead of ~180.
# chromium is the browser the e2e tests drive (tests/E2E).
# Later work appends to this list, nowhere else.
TRACKER_APT_PACKAGES=(libtorch-dev cmake g++ dataset-fashion-mnist libopenblas0-pthread chromium)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Installs whichever of the given Debian packages are missing; does nothing (and needs no
# network) when all are present, so it is cheap to call on every run.
ensure_apt_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "Installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_dotnet() {
    if ! command -v dotnet >/dev/null 2>&1; then
        echo "The .NET 10 SDK is required (https://dotnet.microsoft.com/download); install it and run this again." >&2
        exit 1
    fi
}

ensure_prerequisites() {
    ensure_dotnet
    ensure_apt_packages "${TRACKER_APT_PACKAGES[@]}"
}

# Builds everything in Release; the native shim is rebuilt by MSBuild only when its sources change.
build_solution() {
    log "Building (native shim + .NET solution)"
    dotnet build Tracker.sln -c Release -nologo -v quiet -clp:NoSummary
}
