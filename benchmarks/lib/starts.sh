# Shared by the benchmark scripts (sourced from the project root): classpaths as a container starts
# a function, a baseline commit's build, a free loopback port, and the ends of one measured start.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# module_classpath DIR: a module's jar and its runtime dependencies (DIR relative to the project root,
# the scripts' working directory).
module_classpath() {
  local dir="$1" root="$PWD" name
  name=$(basename "$dir")
  echo "$(ls "$root/$dir"/target/"$name"-*.jar | grep -v tests):$(cd "$dir" && \
    "$root"/mvnw -B -q -o dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=/dev/stdout)"
}

# baseline_classpath MODULE COMMIT: MODULE (functions/NAME) as COMMIT built it, with its own core jar
# (not the one this clone installed under the same version); built once in a worktree, cached by commit.
baseline_classpath() {
  local module="$1" commit="$2" name cache deps
  name=$(basename "$module")
  cache="$HOME/.cache/prsentinel-bench/$name-$commit"
  if [ ! -s "$cache/classpath.txt" ]; then
    rm -rf "$cache" && mkdir -p "$cache"
    git worktree add -f --detach "$cache/src" "$commit" >/dev/null
    (cd "$cache/src" && ./mvnw -B -q -DskipTests -Dcheckstyle.skip package -pl "$module" -am)
    deps="$(cd "$cache/src/$module" && ../../mvnw -B -q -o dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile=/dev/stdout)"
    cp "$(ls "$cache/src/$module"/target/"$name"-*.jar | grep -v tests)" "$cache/$name.jar"
    cp "$(ls "$cache"/src/functions/core/target/core-*.jar | grep -v tests)" "$cache/core.jar"
    echo "$cache/$name.jar:$(echo "$deps" | tr ':' '\n' | sed "s#.*/dev/prsentinel/core/.*/core-[^/]*.jar#$cache/core.jar#" | paste -sd:)" > "$cache/classpath.txt"
    git worktree remove --force "$cache/src"
  fi
  cat "$cache/classpath.txt"
}

# await_score PID LOG URL BODY: polls POST URL with BODY until it answers 200; fails when PID died.
await_score() {
  local pid="$1" log="$2" url="$3" body="$4"
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
      --data-binary @"$body" "$url")" = 200 ]; do
    kill -0 "$pid" 2>/dev/null || { echo "the app exited before answering:" >&2; tail -3 "$log" >&2; exit 1; }
    sleep 0.002
  done
}

# end_start PID T0_NS: stops the process and prints "ms cpu_seconds" from T0 to now, CPU from /proc.
end_start() {
  local pid="$1" t0="$2" t1 cpu
  t1=$(date +%s%N)
  cpu=$(awk -v t="$(getconf CLK_TCK)" '{printf "%.3f", ($14+$15)/t}' "/proc/$pid/stat")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(( (t1 - t0) / 1000000 )) $cpu"
}
