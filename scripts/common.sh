# Shared by run.sh, test.sh, the benchmarks and the Dockerfile: one place for the prerequisites.
# Sourced, not executed.

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages, in three groups so the Dockerfile installs exactly what each of its stages needs
# and run.sh/test.sh install all of them (later work appends to these lists, nowhere else):
# - build: libtorch headers (the engine), cmake and g++ (the shim).
# - runtime: libtorch's shared libraries, OpenSSL (.NET's hashing and random numbers), Fashion-MNIST (the
#   default dataset), OpenBLAS (Debian's libtorch calls the system BLAS, and with only the reference BLAS
#   a 512x512 matmul runs at ~5 GFLOP/s instead of ~180).
# - test: chromium, the browser the e2e tests drive (tests/E2E); postgresql, the server the integration
#   tests run against (start_test_postgres below; its system cluster is never used); python3, which picks
#   that server a free port (start_test_postgres), summarises the test results (test.sh) and runs the Python
#   client's tests (clients/python); python3-torch, which the PyTorch example (examples/pytorch) trains with;
#   slurm-wlm and munge, the single-node Slurm cluster the Slurm worker tests submit to (start_test_slurm).
TRACKER_BUILD_PACKAGES=(libtorch-dev cmake g++)
TRACKER_RUNTIME_PACKAGES=(libtorch1.13 libopenblas0-pthread dataset-fashion-mnist libssl3)
TRACKER_TEST_PACKAGES=(chromium postgresql python3 python3-torch slurm-wlm munge)
TRACKER_APT_PACKAGES=("${TRACKER_BUILD_PACKAGES[@]}" "${TRACKER_RUNTIME_PACKAGES[@]}" "${TRACKER_TEST_PACKAGES[@]}")

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

# Publishes the web app (with the shim and the training engine) to the given folder. A published app
# serves its static assets (MudBlazor, Plotly, blazor.web.js) in Production; a build folder does not.
# Pass --no-build after a build_solution; the Dockerfile builds here in one step instead.
publish_web() {
    local output=$1
    shift
    log "Publishing the web app to $output"
    dotnet publish src/Web/Tracker.Web.csproj -c Release -nologo -v quiet -clp:NoSummary -o "$output" "$@"
}

# Starts a throwaway PostgreSQL for the integration tests and exports TRACKER_TEST_POSTGRES (an Npgsql
# connection string); it is stopped and deleted when the calling script exits. A cluster of its own in a
# temporary folder, on a free loopback port with its sockets in that folder, so a system cluster is never
# touched. Does nothing when TRACKER_TEST_POSTGRES is already set (a server of your own, or a second call).
start_test_postgres() {
    if [ -n "${TRACKER_TEST_POSTGRES:-}" ]; then
        log "Integration tests use the PostgreSQL in TRACKER_TEST_POSTGRES"
        return 0
    fi
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$bin" ]; then
        echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
        return 1
    fi
    TRACKER_TEST_POSTGRES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tracker-postgres.XXXXXX")
    # Exported: the storage-outage tests stop and restart this server (pg_ctl -D $TRACKER_TEST_POSTGRES_DIR/data).
    export TRACKER_TEST_POSTGRES_DIR
    # initdb and pg_ctl refuse to run as root, so root runs them as the postgres user the package created.
    TRACKER_TEST_POSTGRES_AS=()
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$TRACKER_TEST_POSTGRES_DIR"
        TRACKER_TEST_POSTGRES_AS=(runuser -u postgres --)
    fi
    trap stop_test_servers EXIT

    local dir=$TRACKER_TEST_POSTGRES_DIR password port
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    log "Starting a throwaway PostgreSQL on 127.0.0.1:$port"
    printf '%s\n' "$password" > "$dir/password"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir/password"
    "${TRACKER_TEST_POSTGRES_AS[@]}" "$bin/initdb" -D "$dir/data" -U tracker --pwfile="$dir/password" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$dir/initdb.log"
    # Durability is worthless for a cluster deleted in a minute; without fsync the tests run faster.
    "${TRACKER_TEST_POSTGRES_AS[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    "${TRACKER_TEST_POSTGRES_AS[@]}" "$bin/createdb" -h "$dir" -p "$port" -U tracker tracker
    export TRACKER_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Database=tracker;Username=tracker;Password=$password"
}

stop_test_postgres() {
    [ -n "${TRACKER_TEST_POSTGRES_DIR:-}" ] || return 0
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [ -f "$TRACKER_TEST_POSTGRES_DIR/data/postmaster.pid" ]; then
        "${TRACKER_TEST_POSTGRES_AS[@]}" "$bin/pg_ctl" -D "$TRACKER_TEST_POSTGRES_DIR/data" -w -s -m immediate stop || true
    fi
    rm -rf "$TRACKER_TEST_POSTGRES_DIR"
    unset TRACKER_TEST_POSTGRES TRACKER_TEST_POSTGRES_DIR
}

# A throwaway single-node Slurm cluster on loopback for the Slurm worker tests: munged, slurmctld and
# slurmd with their configs, state and logs under one temporary folder, on free ports; the system's
# Slurm and munge (if any) are never touched. Exports SLURM_CONF, so sbatch, squeue, scancel and sacct
# in the tests talk to this cluster. Job completions go to a text file (jobcomp/filetxt), which
# `sacct --completion` reads: the cluster needs no slurmdbd and no MySQL.
start_test_slurm() {
    if [ -n "${TRACKER_TEST_SLURM:-}" ]; then
        log "Slurm tests use the cluster in SLURM_CONF=${SLURM_CONF:-}"
        return 0
    fi
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        echo "Slurm is not installed (apt-get install slurm-wlm munge)" >&2
        return 1
    fi
    TRACKER_TEST_SLURM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tracker-slurm.XXXXXX")
    local dir=$TRACKER_TEST_SLURM_DIR user host cpus ctld_port slurmd_port
    user=$(id -un)
    host=$(hostname -s)
    cpus=$(nproc)
    read -r ctld_port slurmd_port < <(python3 -c 'import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s); 
print(*(s.getsockname()[1] for s in ports))')
    mkdir -p "$dir/state" "$dir/spool" "$dir/log"
    head -c 1024 /dev/urandom > "$dir/munge.key"
    chmod 400 "$dir/munge.key"
    # --force: munged refuses a socket under a world-writable /tmp otherwise.
    munged --force --socket="$dir/munge.sock" --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" \
        --log-file="$dir/log/munged.log" --seed-file="$dir/munge.seed"
    cat > "$dir/slurm.conf" <<CONF
ClusterName=tracker-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
SlurmUser=$user
SlurmdUser=$user
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
AccountingStorageType=accounting_storage/none
NodeName=tracker-node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=tracker Nodes=tracker-node Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF=$dir/slurm.conf TRACKER_TEST_SLURM_DIR
    trap stop_test_servers EXIT
    log "Starting a throwaway Slurm cluster (slurmctld on 127.0.0.1:$ctld_port)"
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF" -N tracker-node
    local waited=0
    until sinfo -h -o %T 2>/dev/null | grep -q idle; do
        sleep 1
        waited=$((waited + 1))
        if [ $waited -ge 30 ]; then
            echo "The test Slurm cluster did not come up; its logs are in $dir/log" >&2
            return 1
        fi
    done
    export TRACKER_TEST_SLURM=1
}

stop_test_slurm() {
    [ -n "${TRACKER_TEST_SLURM_DIR:-}" ] || return 0
    local pidfile
    # Jobs a failed test left behind would outlive slurmd in their slurmstepd.
    scancel --user "$(id -un)" 2>/dev/null || true
    for pidfile in slurmd.pid slurmctld.pid munged.pid; do
        [ -f "$TRACKER_TEST_SLURM_DIR/$pidfile" ] && kill "$(cat "$TRACKER_TEST_SLURM_DIR/$pidfile")" 2>/dev/null || true
    done
    sleep 1
    rm -rf "$TRACKER_TEST_SLURM_DIR"
    unset TRACKER_TEST_SLURM TRACKER_TEST_SLURM_DIR SLURM_CONF
}

# test.sh's exit trap: stops whichever throwaway servers it started.
stop_test_servers() {
    stop_test_slurm
    stop_test_postgres
}
