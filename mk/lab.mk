# SPDX-License-Identifier: GPL-2.0-or-later
#
# The lab: run the scripts on a real KVM shadow MMU (docs/lab.md).
#
#   make lab [KERNEL="bookworm sid"] [KVER=6.1.0-56-amd64] [SCRIPTS="zap_unsync root_hpa"]
#            [WORKLOAD=path/to/static-program] [WORKLOAD_ARGS="..."]
#       For each kernel (the lines KERNEL names, each its newest kernel now;
#       none: every line of tests/kernel/lines; KVER: exact kernel ABIs, as
#       for make check-tapsets): boot that Debian kernel under QEMU
#       with kvm_amd npt=0 inside, run every script (default: scripts/*.stp;
#       SCRIPTS= runs the workload alone) around the workload and bring the
#       traces and KVM's debugfs counters out into lab-out/KVER/.  Kernel files
#       come from tests/kernel/fetch-kernel.sh (cached in $(KVMMMU_CACHE)).
#       Ends with "lab: N passed, N failed"; exit 3 when the Debian archive
#       could not give a kernel and nothing failed otherwise.
#
#   make lab GUEST=linux [KERNEL=bookworm] [GUEST_APPEND="pti=on"]
#            [GUEST_SCENARIOS="idle storm build threads"] [GUEST_WORKLOAD=script.sh]
#            [STORM_PROCS=4 STORM_EACH=100] [IDLE_S=10] [BUILD_UNITS=24 BUILD_JOBS=2]
#            [THREADS_ROUNDS=20 THREADS_N=16]
#       The lab's guest boots a Linux guest of its own (the same kernel,
#       the release's QEMU, -M microvm -enable-kvm) whose init runs the
#       scenarios, marking each; the scripts (default root_hpa zap_unsync mmu_load_rate)
#       capture around the whole run; per-scenario counts in
#       lab-out/linux/KVER/scenarios.txt (docs/lab.md, A real Linux guest).
#
#   make lab-workload
#       build/lab/kvm-workload, the static /dev/kvm workload (tests/lab/).
#
# Not part of `make check`: it needs the Debian archive and QEMU.

LAB_WORKLOAD := $(B)/lab/kvm-workload

DEB_PACKAGES += qemu-system-x86 busybox-static cpio binutils

.PHONY: lab lab-workload

lab-workload: $(LAB_WORKLOAD)

$(LAB_WORKLOAD): tests/lab/kvm-workload.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

# SCRIPTS, WORKLOAD and WORKLOAD_ARGS reach run-lab.sh only when given, so
# that an empty SCRIPTS= (no probes) differs from no SCRIPTS at all.
lab_env = $(if $(filter undefined,$(origin SCRIPTS)),,SCRIPTS='$(SCRIPTS)') \
	$(if $(filter undefined,$(origin WORKLOAD)),,WORKLOAD='$(WORKLOAD)') \
	$(if $(filter undefined,$(origin WORKLOAD_ARGS)),,WORKLOAD_ARGS='$(WORKLOAD_ARGS)') \
	$(foreach v,GUEST GUEST_APPEND GUEST_CPU GUEST_SCENARIOS GUEST_WORKLOAD IDLE_S STORM_PROCS STORM_EACH BUILD_UNITS BUILD_JOBS THREADS_ROUNDS THREADS_N,$(if $($(v)),$(v)='$($(v))'))

# kvmmmu-report checks every trace, and the zap traces against the counters (run-lab.sh).
lab: $(B)/kvmmmu-report $(if $(WORKLOAD),,$(LAB_WORKLOAD))
	@pass=0; fail=0; skip=0; \
	for k in $(KERNELS); do \
		echo "=== lab: $$k"; \
		rc=0; env $(lab_env) tests/lab/run-lab-again.sh "$$k" || rc=$$?; \
		case $$rc in \
		0) pass=$$((pass + 1)) ;; \
		3) skip=$$((skip + 1)); echo "lab: $$k skipped: the Debian archive could not give its packages" ;; \
		*) fail=$$((fail + 1)) ;; \
		esac; \
	done; \
	echo "lab: $$pass passed, $$fail failed$$( [ $$skip -eq 0 ] || echo ", $$skip skipped")"; \
	[ $$fail -eq 0 ] || exit 1; [ $$skip -eq 0 ] || exit 3

# Boot the lab RUNS times for each of: the workload alone (none), many VMs
# made and destroyed one after another with no SystemTap at all (vms: the
# jump-label flips behind the hangs and oopses, without any probe), one empty
# probe, the seed's scripts and ours; and, when named, what lab-load (load)
# and lab-faults (faults) run.  Tallies passed, hung (with every vCPU's
# registers and stack taken from QEMU's monitor before it is stopped), oopsed
# and failed, into lab-soak/KVER/soak.md (docs/lab.md).  LAB_TIMEOUT is 180 s
# there: a real hang never ends, and a boot slowed by a busy host must not
# count as one.
#   make lab-soak KERNEL=<line> [RUNS=10] [SOAK_CONFIGS="none vms empty seed ours load faults"]
#                 [SOAK_VMS=25] [FAULT_EVERY=3]
RUNS ?= 10
.PHONY: lab-soak
lab-soak: $(B)/kvmmmu-report $(LAB_WORKLOAD)
	@[ -n "$(KERNEL)" ] || { echo "make lab-soak: KERNEL=<line> is needed (tests/kernel/lines)" >&2; exit 2; }
	@for k in $(KERNEL); do FAULT_EVERY='$(FAULT_EVERY)' tests/lab/soak.sh "$$k" "$(RUNS)" $(SOAK_CONFIGS) || exit 1; done

# A probe that reads a bad pointer: a test build of the tapsets whose every
# FAULT_EVERY-th unsync walk reads its pages at an address that faults:
# zap_unsync, then tests/lab/mixed.stp (walks batched and root loads printed
# at once, on the same CPUs: each CPU's records must stay in seq order), then
# root_hpa, in one boot.  Each faulted walk and its steps must cost exactly
# their records, counted in the trailer's faults (tests/lab/fault-account.sh),
# the sessions and the guest going on.
#   make lab-faults [KERNEL="bookworm sid"] [FAULT_EVERY=3]
FAULT_EVERY ?= 3
.PHONY: lab-faults
lab-faults: $(B)/kvmmmu-report $(LAB_WORKLOAD)
	@pass=0; fail=0; skip=0; \
	for k in $(KERNELS); do \
		echo "=== lab-faults: $$k"; \
		rc=0; LAB_FAULT_EVERY=$(FAULT_EVERY) SCRIPTS="zap_unsync tests/lab/mixed.stp root_hpa" LAB_OUT=lab-out/faults \
			tests/lab/run-lab-again.sh "$$k" || rc=$$?; \
		case $$rc in \
		0) pass=$$((pass + 1)) ;; \
		3) skip=$$((skip + 1)); echo "lab-faults: $$k skipped: the Debian archive could not give its packages" ;; \
		*) fail=$$((fail + 1)) ;; \
		esac; \
	done; \
	echo "lab-faults: $$pass passed, $$fail failed$$( [ $$skip -eq 0 ] || echo ", $$skip skipped")"; \
	[ $$fail -eq 0 ] || exit 1; [ $$skip -eq 0 ] || exit 3

# The scripts under the heaviest workload the lab runs, with 2 and 4 vCPUs:
# no loss allowed, and per script the records per second it held and its
# probes' share of the workload's time (tests/lab/load.sh; lab-load/KVER/load.md).
#   make lab-load KERNEL=<line> [LOAD_VCPUS="2 4"] [LOAD_ITERATIONS=400] [LOAD_TIMEOUT=600]
.PHONY: lab-load
lab-load: $(B)/kvmmmu-report $(LAB_WORKLOAD)
	@[ -n "$(KERNEL)" ] || { echo "make lab-load: KERNEL=<line> is needed (tests/kernel/lines)" >&2; exit 2; }
	@for k in $(KERNEL); do tests/lab/load.sh "$$k" || exit 1; done

# What our probes cost in the kernel against the seed's scripts
# (tests/lab/seed-style/), on the same workload, under `stap -t`:
# bench/probe-cost.md and one "probe-cost: KVER ours/seed=R" line per
# kernel (docs/performance.md).
#   make lab-probe-cost [KERNEL="..."|KVER="..."] [PROBE_COST_RUNS=3] [PROBE_COST_ARGS="--vcpus 2 --iterations 200 ..."]
.PHONY: lab-probe-cost
lab-probe-cost: $(LAB_WORKLOAD)
	@tests/lab/probe-cost.sh $(if $(KVER),$(KVER),$(KERNEL))
