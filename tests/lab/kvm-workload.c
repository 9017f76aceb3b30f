// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm-workload - make KVM's x86 shadow MMU create, unsync, sync and zap
 * shadow pages, switch roots and reuse prev_roots.
 *
 * A tiny guest driven through /dev/kvm.  Every vCPU starts directly in 64-bit
 * long mode (page tables, segments and control registers are set from the
 * host with KVM_SET_SREGS) and owns several address spaces, each its own
 * PML4, PDPT, PD and page tables identity-mapping all guest memory with 4 KiB
 * pages.  With KVM's shadow paging (kvm_amd npt=0 or kvm_intel ept=0) every
 * guest page-table page is shadowed by a struct kvm_mmu_page.  Each visit of
 * an address space:
 *
 *   1. loads CR3 (a root switch: found in mmu->prev_roots, or a new root),
 *   2. touches one data page in each data region, a 2 MiB range mapped by its
 *      own page table (shadow page faults; creates the level-1 shadow pages),
 *   3. rewrites an entry of each of those page tables (KVM write-protects
 *      shadowed page tables; the fault on the first write unsyncs the level-1
 *      shadow page instead of emulating, and the next CR3 load syncs it),
 *   4. on every --zap-every'th visit, rewrites the low two bytes of a page
 *      directory entry with their own value: a misaligned write to a shadowed
 *      PD, which KVM emulates and answers by zapping the PD's shadow page
 *      while its page tables are still unsync, so mmu_zap_unsync_children()
 *      walks them.
 *
 * Spaces are visited 1, 0, 2, 0, 3, 0, ...: space 0 is always among the
 * four most recent roots (the current one and KVM_MMU_NUM_PREV_ROOTS = 3), so
 * switching to it finds its root in prev_roots; with more than four spaces
 * the others miss and kvm_mmu_load() builds a new root.
 *
 * When every vCPU has halted, the host deletes the memory slot: KVM zaps every
 * shadow page, whole roots with unsync page tables below them included.
 * With --fill, each space has enough data regions (20) that a PD holds more
 * unsync page tables than the 16-entry struct kvm_mmu_pages can take, so
 * mmu_unsync_walk() returns -ENOSPC and the zap loop walks again.
 *
 * --stop makes the program stop itself (SIGSTOP) twice while the VM exists:
 * when every vCPU has halted, and after the slot is deleted, so a caller can
 * read KVM's debugfs counters, which sum over live VMs only; SIGCONT goes on.
 *
 * --vms N does all of it N times, one VM after another, each destroyed (every
 * file of it closed) before the next is created: KVM flips static keys when
 * the first VM of the host appears and the last one goes (preempt_notifier_key
 * in kvm_create_vm() and kvm_destroy_vm()), and the kernel rewrites their
 * jump-label sites each time; VMs that overlapped would flip them once.  The
 * lab's soak uses it to exercise that patching without any probe (docs/lab.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE_SIZE 0x1000ull
#define REGION_SIZE 0x200000ull /* what one page table maps */
#define MAX_MEM (1ull << 30)    /* one page directory maps 1 GiB */

#define MAX_VCPUS 16
#define MAX_SPACES 32
#define MAX_REGIONS 64
#define MAX_ITERATIONS 1000000
#define MAX_VMS 10000
#define FILL_REGIONS 20 /* > 16 - 1: fills struct kvm_mmu_pages */

/* Guest physical layout (identity-mapped; guest virtual = guest physical). */
#define CODE_GPA 0x1000ull
#define INFO_GPA(v) (0x10000ull + (uint64_t)(v) * PAGE_SIZE)  /* per vCPU */
#define STACK_GPA(v) (0x20000ull + (uint64_t)(v) * PAGE_SIZE) /* per vCPU */
#define TABLES_GPA 0x40000ull

/* Page-table entry bits: present, writable, accessed, dirty (set up front so
 * KVM's walker has nothing to write back into the guest tables). */
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_TABLE (PTE_P | PTE_RW | PTE_A)
#define PTE_PAGE (PTE_P | PTE_RW | PTE_A | PTE_D)
#define TOGGLE_ENTRY 511 /* the page-table entry the guest rewrites */

#define PORT_ITERATION 0x10
#define PORT_DONE 0x11

/*
 * The per-vCPU block the guest reads its parameters from and counts into.
 * Offsets are used by the guest code below: keep them in step.
 */
struct guest_info {
	uint64_t iterations;   /* 0x00 */
	uint64_t nspaces;      /* 0x08 */
	uint64_t nregions;     /* 0x10 */
	uint64_t visits;       /* 0x18, counted by the guest */
	uint64_t pd_zaps;      /* 0x20, counted by the guest */
	uint64_t pte_writes;   /* 0x28, counted by the guest */
	uint64_t data_addr;    /* 0x30: the page touched in data region 0 */
	uint64_t zap_every;    /* 0x38: 0 = never */
	uint64_t spaces_addr;  /* 0x40: struct guest_space[nspaces] */
	uint64_t toggle_pte;   /* 0x48: TOGGLE_ENTRY's value in region 0's table */
};

struct guest_space {
	uint64_t cr3;     /* 0x00: its PML4 */
	uint64_t pt_addr; /* 0x08: page table of data region 0 (the rest follow) */
	uint64_t pde_addr;/* 0x10: the PD entry of data region 0 */
};

#define SPACES_OFFSET 0x800 /* struct guest_space[] inside the info page */

/*
 * Guest code, 64-bit, position independent, entered with %rsi = info block.
 * Assembled with the program and copied to CODE_GPA.
 */
extern const unsigned char guest_code_start[], guest_code_end[];
__asm__(
	".pushsection .rodata\n"
	".balign 16\n"
	"guest_code_start:\n"
	"	xor %r14, %r14\n"            /* iteration */
	"1:	cmp 0x00(%rsi), %r14\n"
	"	jae 9f\n"
	"	cmpq $1, 0x08(%rsi)\n"
	"	ja 2f\n"
	"	xor %ebx, %ebx\n"            /* one space: visit it */
	"	call 20f\n"
	"	jmp 8f\n"
	"2:	mov $1, %r13\n"              /* visit 1, 0, 2, 0, ... */
	"3:	cmp 0x08(%rsi), %r13\n"
	"	jae 8f\n"
	"	mov %r13, %rbx\n"
	"	call 20f\n"
	"	xor %ebx, %ebx\n"
	"	call 20f\n"
	"	inc %r13\n"
	"	jmp 3b\n"
	"8:	inc %r14\n"
	"	mov %r14, %rax\n"
	"	outb %al, $0x10\n"           /* PORT_ITERATION */
	"	jmp 1b\n"
	"9:	outb %al, $0x11\n"           /* PORT_DONE */
	"	hlt\n"
	"	jmp 9b\n"
	/* visit space %rbx */
	"20:	mov 0x40(%rsi), %rdi\n"
	"	imul $24, %rbx, %rax\n"
	"	add %rax, %rdi\n"            /* %rdi = &spaces[%rbx] */
	"	mov 0x00(%rdi), %rax\n"
	"	mov %rax, %cr3\n"            /* root switch */
	"	mov 0x30(%rsi), %rdx\n"      /* touch a page in every data region */
	"	mov 0x10(%rsi), %rcx\n"
	"21:	test %rcx, %rcx\n"
	"	jz 22f\n"
	"	incq (%rdx)\n"
	"	add $0x200000, %rdx\n"
	"	dec %rcx\n"
	"	jmp 21b\n"
	"22:	mov 0x08(%rdi), %rdx\n"      /* rewrite an entry of each table */
	"	mov 0x48(%rsi), %r8\n"
	"	mov 0x10(%rsi), %rcx\n"
	"23:	test %rcx, %rcx\n"
	"	jz 26f\n"
	"	mov 0xff8(%rdx), %rax\n"     /* entry 511: unmapped <-> identity */
	"	test %rax, %rax\n"
	"	jz 24f\n"
	"	xor %eax, %eax\n"
	"	jmp 25f\n"
	"24:	mov %r8, %rax\n"
	"25:	mov %rax, 0xff8(%rdx)\n"
	"	incq 0x28(%rsi)\n"
	"	add $0x1000, %rdx\n"
	"	add $0x200000, %r8\n"
	"	dec %rcx\n"
	"	jmp 23b\n"
	"26:	incq 0x18(%rsi)\n"           /* visits; zap on every n-th */
	"	mov 0x38(%rsi), %rcx\n"
	"	test %rcx, %rcx\n"
	"	jz 27f\n"
	"	mov 0x18(%rsi), %rax\n"
	"	xor %edx, %edx\n"
	"	div %rcx\n"
	"	test %rdx, %rdx\n"
	"	jnz 27f\n"
	"	mov 0x10(%rdi), %rdx\n"
	"	movw (%rdx), %ax\n"
	"	movw %ax, (%rdx)\n"          /* misaligned write: PD zapped */
	"	incq 0x20(%rsi)\n"
	"27:	ret\n"
	"guest_code_end:\n"
	".popsection\n");

struct options {
	unsigned vcpus, iterations, spaces, regions, zap_every, mmu_pages, vms;
	bool fill, stop;
};

struct vcpu {
	unsigned id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	unsigned long exits[64]; /* by KVM_EXIT_* reason; the last one: other */
	unsigned long iterations_seen;
	bool done;
	char error[256];
};

static const char *prog = "kvm-workload";
static int kvm_fd = -1, vm_fd = -1;
static size_t run_size;
static uint8_t *mem;
static uint64_t mem_size;
static struct options opt;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTION]...\n"
		"Drive a small guest through /dev/kvm so that KVM's shadow MMU creates,\n"
		"unsyncs, syncs and zaps shadow pages, switches roots and reuses\n"
		"prev_roots (needs shadow paging: kvm_amd npt=0 or kvm_intel ept=0).\n"
		"\n"
		"  --vcpus N        vCPUs, one thread each (default 2, at most %d)\n"
		"  --iterations N   iterations per vCPU (default 50); each visits\n"
		"                   2*(spaces-1) address spaces (1 when spaces is 1)\n"
		"  --spaces N       address spaces per vCPU (default 5, at most %d);\n"
		"                   more than 4 makes prev_roots miss\n"
		"  --regions N      2 MiB data regions per space, each with its own\n"
		"                   page table to unsync (default 3, at most %d)\n"
		"  --zap-every N    zap the PD on every N-th visit (default 2, 0: never)\n"
		"  --mmu-pages N    the VM's shadow-page budget (KVM_SET_NR_MMU_PAGES;\n"
		"                   default: room for every table of every space, so\n"
		"                   KVM never recycles; 0: KVM's own default, which\n"
		"                   for a small VM is 64 pages and recycles)\n"
		"  --fill           %d regions: a zapped PD has more unsync page tables\n"
		"                   than struct kvm_mmu_pages holds, so\n"
		"                   mmu_unsync_walk() returns -ENOSPC and walks again\n"
		"  --stop           stop (SIGSTOP) until SIGCONT twice while the VM still\n"
		"                   exists, so its counters can be read: when every vCPU\n"
		"                   has halted, and after the memory slot is deleted\n"
		"                   (with --vms, the last VM only)\n"
		"  --vms N          run N VMs one after another, each destroyed before\n"
		"                   the next is created (default 1, at most %d)\n"
		"  --help           this text\n"
		"\n"
		"Prints one summary line per VM; exits 0 on success, 1 on failure, 64 on\n"
		"bad usage.\n",
		prog, MAX_VCPUS, MAX_SPACES, MAX_REGIONS, FILL_REGIONS, MAX_VMS);
}

static unsigned parse_uint(const char *name, const char *s, unsigned min, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "%s: --%s: expected a number from %u to %u, got '%s'\n",
			prog, name, min, max, s);
		exit(64);
	}
	return (unsigned)v;
}

static void parse_options(int argc, char **argv)
{
	enum { O_VCPUS = 256, O_ITER, O_SPACES, O_REGIONS, O_ZAP, O_MMU_PAGES, O_FILL, O_STOP,
	       O_VMS, O_HELP };
	static const struct option longopts[] = {
		{ "vcpus", required_argument, NULL, O_VCPUS },
		{ "iterations", required_argument, NULL, O_ITER },
		{ "spaces", required_argument, NULL, O_SPACES },
		{ "regions", required_argument, NULL, O_REGIONS },
		{ "zap-every", required_argument, NULL, O_ZAP },
		{ "mmu-pages", required_argument, NULL, O_MMU_PAGES },
		{ "fill", no_argument, NULL, O_FILL },
		{ "stop", no_argument, NULL, O_STOP },
		{ "vms", required_argument, NULL, O_VMS },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	bool regions_given = false, mmu_pages_given = false;
	int c;

	opt = (struct options){ .vcpus = 2, .iterations = 50, .spaces = 5,
				.regions = 3, .zap_every = 2, .vms = 1 };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_VCPUS: opt.vcpus = parse_uint("vcpus", optarg, 1, MAX_VCPUS); break;
		case O_ITER: opt.iterations = parse_uint("iterations", optarg, 1, MAX_ITERATIONS); break;
		case O_SPACES: opt.spaces = parse_uint("spaces", optarg, 1, MAX_SPACES); break;
		case O_REGIONS:
			opt.regions = parse_uint("regions", optarg, 1, MAX_REGIONS);
			regions_given = true;
			break;
		case O_ZAP: opt.zap_every = parse_uint("zap-every", optarg, 0, 1000); break;
		case O_MMU_PAGES:
			opt.mmu_pages = parse_uint("mmu-pages", optarg, 0, 1u << 20);
			mmu_pages_given = true;
			break;
		case O_FILL: opt.fill = true; break;
		case O_STOP: opt.stop = true; break;
		case O_VMS: opt.vms = parse_uint("vms", optarg, 1, MAX_VMS); break;
		case 'h':
		case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); exit(64);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		usage(stderr);
		exit(64);
	}
	if (opt.fill && !regions_given)
		opt.regions = FILL_REGIONS;
	/* Every table of every space shadowed at once, twice over. */
	if (!mmu_pages_given)
		opt.mmu_pages = 2 * opt.vcpus * opt.spaces * (3 + 1 + opt.regions) + 64;
}

/* Where each vCPU's and space's tables go; computed once by layout(). */
static uint64_t data_gpa;   /* first data region, 2 MiB aligned */
static unsigned n_tables;   /* page tables per space: all of memory */

static uint64_t space_gpa(unsigned v, unsigned s)
{
	/* PML4, PDPT, PD, then n_tables page tables */
	return TABLES_GPA + ((uint64_t)v * opt.spaces + s) * (3 + n_tables) * PAGE_SIZE;
}

static void layout(void)
{
	/* Tables identity-map all memory, whose size depends on the tables. */
	n_tables = 1;
	for (int round = 0; round < 64 && mem_size <= MAX_MEM; round++) {
		uint64_t tables_end = space_gpa(opt.vcpus, 0);
		uint64_t d = (tables_end + REGION_SIZE - 1) & ~(REGION_SIZE - 1);
		uint64_t size = d + (uint64_t)opt.regions * REGION_SIZE;
		unsigned n = (unsigned)(size / REGION_SIZE);

		data_gpa = d;
		mem_size = size;
		if (n == n_tables)
			break;
		n_tables = n;
	}
	if (mem_size > MAX_MEM)
		die("guest memory would be %llu MiB, more than one page directory maps "
		    "(vcpus=%u spaces=%u regions=%u)", (unsigned long long)(mem_size >> 20),
		    opt.vcpus, opt.spaces, opt.regions);
	if (space_gpa(opt.vcpus, 0) > data_gpa || mem_size / REGION_SIZE != n_tables)
		die("cannot lay out guest memory (vcpus=%u spaces=%u regions=%u)",
		    opt.vcpus, opt.spaces, opt.regions);
}

static uint64_t *gpa_u64(uint64_t gpa)
{
	return (uint64_t *)(mem + gpa);
}

static void build_guest(void)
{
	size_t code_len = (size_t)(guest_code_end - guest_code_start);

	if (code_len > PAGE_SIZE)
		die("guest code is %zu bytes, more than a page", code_len);
	memcpy(mem + CODE_GPA, guest_code_start, code_len);

	for (unsigned v = 0; v < opt.vcpus; v++) {
		struct guest_info *info = (struct guest_info *)(mem + INFO_GPA(v));
		struct guest_space *sp = (struct guest_space *)(mem + INFO_GPA(v) + SPACES_OFFSET);

		*info = (struct guest_info){
			.iterations = opt.iterations,
			.nspaces = opt.spaces,
			.nregions = opt.regions,
			.data_addr = data_gpa + (uint64_t)v * PAGE_SIZE,
			.zap_every = opt.zap_every,
			.spaces_addr = INFO_GPA(v) + SPACES_OFFSET,
			.toggle_pte = (data_gpa + TOGGLE_ENTRY * PAGE_SIZE) | PTE_PAGE,
		};
		for (unsigned s = 0; s < opt.spaces; s++) {
			uint64_t pml4 = space_gpa(v, s), pdpt = pml4 + PAGE_SIZE,
				 pd = pdpt + PAGE_SIZE, pt = pd + PAGE_SIZE;

			*gpa_u64(pml4) = pdpt | PTE_TABLE;
			*gpa_u64(pdpt) = pd | PTE_TABLE;
			for (unsigned t = 0; t < n_tables; t++) {
				uint64_t table = pt + t * PAGE_SIZE;

				gpa_u64(pd)[t] = table | PTE_TABLE;
				for (unsigned e = 0; e < 512; e++)
					gpa_u64(table)[e] = (t * REGION_SIZE + e * PAGE_SIZE) | PTE_PAGE;
			}
			/* Nothing maps page 0: a stray null access faults. */
			gpa_u64(pt)[0] = 0;
			sp[s] = (struct guest_space){
				.cr3 = pml4,
				.pt_addr = pt + (data_gpa / REGION_SIZE) * PAGE_SIZE,
				.pde_addr = pd + (data_gpa / REGION_SIZE) * 8,
			};
		}
	}
}

static void set_segment(struct kvm_segment *seg, uint16_t sel, uint8_t type, bool code)
{
	*seg = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .s = 1, .g = 1,
		.l = code, .db = !code,
	};
}

static struct kvm_cpuid2 *supported_cpuid(void)
{
	for (unsigned n = 64; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			die("out of memory");
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			die("cannot get supported CPUID: %s", strerror(errno));
	}
	die("cannot get supported CPUID: more than 4096 entries");
}

static void setup_vcpu(struct vcpu *vc, const struct kvm_cpuid2 *cpuid)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	vc->fd = ioctl(vm_fd, KVM_CREATE_VCPU, vc->id);
	if (vc->fd < 0)
		die("cannot create vCPU %u: %s", vc->id, strerror(errno));
	vc->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vc->fd, 0);
	if (vc->run == MAP_FAILED)
		die("cannot map kvm_run of vCPU %u: %s", vc->id, strerror(errno));
	if (ioctl(vc->fd, KVM_SET_CPUID2, cpuid) < 0)
		die("cannot set CPUID of vCPU %u: %s", vc->id, strerror(errno));

	if (ioctl(vc->fd, KVM_GET_SREGS, &sregs) < 0)
		die("cannot get sregs of vCPU %u: %s", vc->id, strerror(errno));
	set_segment(&sregs.cs, 0x08, 0xb, true);    /* execute/read, accessed */
	set_segment(&sregs.ds, 0x10, 0x3, false);   /* read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){ .limit = 0x67, .selector = 0x18, .type = 0xb,
					 .present = 1 }; /* busy 64-bit TSS */
	sregs.ldt = (struct kvm_segment){ .type = 0x2, .present = 1 };
	sregs.cr0 = 0x80050033; /* PG WP NE ET MP PE */
	sregs.cr4 = 0x20;       /* PAE */
	sregs.efer = 0x500;     /* LMA LME */
	sregs.cr3 = space_gpa(vc->id, 0);
	if (ioctl(vc->fd, KVM_SET_SREGS, &sregs) < 0)
		die("cannot set sregs of vCPU %u: %s", vc->id, strerror(errno));

	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 0x2;
	regs.rsi = INFO_GPA(vc->id);
	regs.rsp = STACK_GPA(vc->id) + PAGE_SIZE;
	if (ioctl(vc->fd, KVM_SET_REGS, &regs) < 0)
		die("cannot set regs of vCPU %u: %s", vc->id, strerror(errno));
}

static void vcpu_fail(struct vcpu *vc, const char *what)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	int n = snprintf(vc->error, sizeof(vc->error), "vCPU %u: %s (exit reason %u",
			 vc->id, what, vc->run->exit_reason);

	if (n > 0 && (size_t)n < sizeof(vc->error) &&
	    ioctl(vc->fd, KVM_GET_REGS, &regs) == 0 && ioctl(vc->fd, KVM_GET_SREGS, &sregs) == 0)
		snprintf(vc->error + n, sizeof(vc->error) - (size_t)n,
			 ", rip=%llx cr2=%llx cr3=%llx after %lu iterations)",
			 (unsigned long long)regs.rip, (unsigned long long)sregs.cr2,
			 (unsigned long long)sregs.cr3, vc->iterations_seen);
	else if (n > 0 && (size_t)n < sizeof(vc->error))
		snprintf(vc->error + n, sizeof(vc->error) - (size_t)n, ")");
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vc = arg;
	/* One port exit per iteration, one when done, one halt: allow slack. */
	unsigned long max_exits = (unsigned long)opt.iterations + 64;
	unsigned long total = 0;

	while (!vc->done) {
		struct kvm_run *run = vc->run;

		if (ioctl(vc->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(vc->error, sizeof(vc->error), "vCPU %u: KVM_RUN failed: %s",
				 vc->id, strerror(errno));
			return NULL;
		}
		vc->exits[run->exit_reason < 63 ? run->exit_reason : 63]++;
		if (++total > max_exits) {
			vcpu_fail(vc, "too many exits");
			return NULL;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == PORT_ITERATION) {
				vc->iterations_seen++;
				continue;
			}
			if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == PORT_DONE)
				continue;
			vcpu_fail(vc, "unexpected port I/O");
			return NULL;
		case KVM_EXIT_HLT:
			if (vc->iterations_seen != opt.iterations) {
				vcpu_fail(vc, "halted early");
				return NULL;
			}
			vc->done = true;
			break;
		case KVM_EXIT_SHUTDOWN:
			vcpu_fail(vc, "guest shut down (triple fault)");
			return NULL;
		case KVM_EXIT_FAIL_ENTRY:
			vcpu_fail(vc, "VM entry failed");
			return NULL;
		case KVM_EXIT_INTERNAL_ERROR:
			vcpu_fail(vc, "KVM internal error");
			return NULL;
		default:
			vcpu_fail(vc, "unexpected exit");
			return NULL;
		}
	}
	return NULL;
}

static const char *exit_name(unsigned r)
{
	switch (r) {
	case KVM_EXIT_IO: return "io";
	case KVM_EXIT_HLT: return "hlt";
	case KVM_EXIT_MMIO: return "mmio";
	case KVM_EXIT_SHUTDOWN: return "shutdown";
	case KVM_EXIT_FAIL_ENTRY: return "fail_entry";
	case KVM_EXIT_INTERNAL_ERROR: return "internal_error";
	case KVM_EXIT_INTR: return "intr";
	default: return NULL;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One VM, from KVM_CREATE_VM until its last file is closed; false on failure. */
static bool run_vm(unsigned n, bool stop)
{
	struct kvm_userspace_memory_region region;
	struct vcpu vcpus[MAX_VCPUS];
	struct kvm_cpuid2 *cpuid;
	unsigned long exits[64] = { 0 };
	uint64_t visits = 0, pd_zaps = 0, pte_writes = 0;
	bool failed = false;
	double t0;

	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die("cannot create a VM: %s", strerror(errno));

	mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (mem == MAP_FAILED)
		die("cannot map %llu MiB of guest memory: %s",
		    (unsigned long long)(mem_size >> 20), strerror(errno));
	build_guest();
	if (opt.mmu_pages && ioctl(vm_fd, KVM_SET_NR_MMU_PAGES, (unsigned long)opt.mmu_pages) < 0)
		die("cannot set the shadow-page budget to %u pages: %s", opt.mmu_pages,
		    strerror(errno));
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = mem_size,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("cannot add %llu MiB of guest memory: %s",
		    (unsigned long long)(mem_size >> 20), strerror(errno));

	cpuid = supported_cpuid();
	memset(vcpus, 0, sizeof(vcpus));
	for (unsigned v = 0; v < opt.vcpus; v++) {
		vcpus[v].id = v;
		setup_vcpu(&vcpus[v], cpuid);
	}
	free(cpuid);

	t0 = now();
	for (unsigned v = 0; v < opt.vcpus; v++) {
		int err = pthread_create(&vcpus[v].thread, NULL, vcpu_thread, &vcpus[v]);

		if (err)
			die("cannot start the thread of vCPU %u: %s", v, strerror(err));
	}
	for (unsigned v = 0; v < opt.vcpus; v++) {
		const struct guest_info *info = (const struct guest_info *)(mem + INFO_GPA(v));

		pthread_join(vcpus[v].thread, NULL);
		if (vcpus[v].error[0]) {
			fprintf(stderr, "%s: %s\n", prog, vcpus[v].error);
			failed = true;
		}
		for (unsigned r = 0; r < 64; r++)
			exits[r] += vcpus[v].exits[r];
		visits += info->visits;
		pd_zaps += info->pd_zaps;
		pte_writes += info->pte_writes;
	}
	double guest_s = now() - t0;

	if (stop)
		raise(SIGSTOP); /* all vCPUs halted: counters can be read */

	/* Delete the slot: KVM zaps every shadow page of the VM. */
	region.memory_size = 0;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		fprintf(stderr, "%s: cannot delete the memory slot: %s\n", prog, strerror(errno));
		failed = true;
	}

	printf("kvm-workload: %s", failed ? "FAILED" : "ok");
	if (opt.vms > 1)
		printf(" vm=%u/%u", n, opt.vms);
	printf(" vcpus=%u iterations=%u spaces=%u regions=%u zap_every=%u "
	       "mmu_pages=%u mem=%lluMiB visits=%llu pte_writes=%llu pd_zaps=%llu exits:",
	       opt.vcpus, opt.iterations, opt.spaces, opt.regions,
	       opt.zap_every, opt.mmu_pages, (unsigned long long)(mem_size >> 20), (unsigned long long)visits,
	       (unsigned long long)pte_writes, (unsigned long long)pd_zaps);
	for (unsigned r = 0; r < 64; r++) {
		const char *name = exit_name(r);

		if (!exits[r])
			continue;
		if (name && r != 63)
			printf(" %s=%lu", name, exits[r]);
		else
			printf(" reason%u=%lu", r, exits[r]);
	}
	printf(" guest_time=%.2fs\n", guest_s);
	fflush(stdout);

	if (stop)
		raise(SIGSTOP); /* the VM still exists: counters can be read */

	/* Every reference KVM holds on the VM goes: the vCPUs' mappings and
	 * files, then the VM's, so it is destroyed before the next is made. */
	for (unsigned v = 0; v < opt.vcpus; v++) {
		munmap(vcpus[v].run, run_size);
		close(vcpus[v].fd);
	}
	close(vm_fd);
	vm_fd = -1;
	munmap(mem, mem_size);
	mem = NULL;
	return !failed;
}

int main(int argc, char **argv)
{
	bool failed = false;
	int ver, mmap_size;

	parse_options(argc, argv);
	layout();

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("cannot open /dev/kvm: %s", strerror(errno));
	ver = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION)
		die("KVM API version is %d, expected %d", ver, KVM_API_VERSION);
	mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run))
		die("cannot get the vCPU mmap size: %s", strerror(errno));
	run_size = (size_t)mmap_size;

	for (unsigned n = 1; n <= opt.vms; n++)
		if (!run_vm(n, opt.stop && n == opt.vms))
			failed = true;
	close(kvm_fd);
	return failed ? 1 : 0;
}
