#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kvmmmu-mark NAME start|end: in the nested Linux guest (make lab
# GUEST=linux), marks a phase of a GUEST_WORKLOAD script as the guest's
# init marks its scenarios: the lab reads KVM's counters and the records'
# clock at the mark (lab-out/linux/KVER/marks) before this returns.  Uses
# the control channel the init opened on file descriptor 3.
case $#:$2 in
2:start|2:end) ;;
*) echo "usage: kvmmmu-mark NAME start|end" >&2; exit 2 ;;
esac
case $1 in
''|*[!A-Za-z0-9_.-]*) echo "kvmmmu-mark: NAME is letters, digits, '_', '.' and '-', not '$1'" >&2; exit 2 ;;
esac
{ true >&3; } 2>/dev/null || { echo "kvmmmu-mark: no control channel (fd 3): not run by the guest's init?" >&2; exit 1; }
echo "mark $1 $2" >&3
read -r ack <&3
[ "$ack" = ok ] || { echo "kvmmmu-mark: the lab answered '$ack'" >&2; exit 1; }
