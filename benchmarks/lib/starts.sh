# Shared by the cold-start scripts (sourced): a free loopback port, and the end of one measured start.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# end_start PID T0_NS: stops the process and prints "ms cpu_seconds" from T0 to now, CPU from /proc.
end_start() {
  local pid="$1" t0="$2" t1 cpu
  t1=$(date +%s%N)
  cpu=$(awk -v t="$(getconf CLK_TCK)" '{printf "%.3f", ($14+$15)/t}' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(( (t1 - t0) / 1000000 )) $cpu"
}
