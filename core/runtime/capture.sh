#!/bin/sh
# Runs an agent command whose CLI gauntlet does not recognise, recording every program it
# executes (execve) with strace when the image has it and ptrace is allowed: the "syscall
# capture" of the seeds. Output of the programs is not captured, only what they ran and how
# they exited. The log goes to $GAUNTLET_EXECLOG, which the host reads after the exec.
log="${GAUNTLET_EXECLOG:-/tmp/.gauntlet/out/exec.log}"
mkdir -p "$(dirname "$log")" && : >"$log"
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
  strace -f -q -e trace=execve -e signal=none -s 300 -o "$log" sh -c "$1"
else
  sh -c "$1"
fi
