#!/bin/sh
# Runs an agent command whose CLI gauntlet does not recognise, recording every program it
# executes (execve) with strace when the image has it and ptrace is allowed: the "syscall
# capture" of the seeds. Output of the programs is not captured, only what they ran and how
# they exited. The log follows the command's own output after a marker line.
log=$(mktemp /tmp/.gauntlet-exec.XXXXXX)
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
  strace -f -q -e trace=execve -e signal=none -s 300 -o "$log" sh -c "$1"
  rc=$?
else
  sh -c "$1"
  rc=$?
fi
printf '\n@@GAUNTLET_EXECLOG@@\n'
cat "$log" 2>/dev/null
exit $rc
