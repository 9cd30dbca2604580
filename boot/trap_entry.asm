; Trap entry stubs.
;
; One stub per vector pushes a zero error code when the CPU does not push
; one (Intel SDM vol. 3A, table 6-1 lists which exceptions do), then the
; vector number, and jumps to trap_common, which saves the rest of the
; registers as a struct trapframe (kernel/arch/trap.h) and calls trap_dispatch.

bits 32

%include "extable.inc"

KERNEL_DATA_SEL equ 0x10

extern trap_dispatch

%macro TRAP_NOERR 1
trap_stub_ %+ %1:
	push dword 0
	push dword %1
	jmp trap_common
%endmacro

%macro TRAP_ERR 1
trap_stub_ %+ %1:
	push dword %1
	jmp trap_common
%endmacro

section .text

; Exceptions 8, 10-14, 17 and 21 push an error code.
%assign v 0
%rep 256
%if v = 8 || (v >= 10 && v <= 14) || v = 17 || v = 21
	TRAP_ERR v
%else
	TRAP_NOERR v
%endif
%assign v v + 1
%endrep

global trap_common
trap_common:
	push ds
	push es
	push fs
	push gs
	pusha
	mov ax, KERNEL_DATA_SEL
	mov ds, ax
	mov es, ax
	; FS and GS may hold a process's TLS selector; the kernel does not
	; use them, and the process's TLS descriptor may be replaced while it
	; is switched out, so run the kernel with null selectors.
	xor eax, eax
	mov fs, ax
	mov gs, ax
	cld
	push esp                ; struct trapframe *
	call trap_dispatch
	add esp, 4

; Back to the interrupted code: the registers come off the stack in the
; reverse order of trap_common's pushes.
;
; On a return to user mode the four segment pops and the iret load
; selectors from the process's saved frame, and the CPU checks each one
; against its descriptor as it loads it (Intel SDM vol. 2B, POP; vol. 3A,
; 5.4 type checking and 5.6 privilege checking for data segments): the
; descriptor must be a present data or readable code segment whose DPL is
; at least the CPL and the selector's RPL. A null selector is loaded into
; DS, ES, FS or GS without any check (vol. 3A, 5.4.1).
;
; A selector that was good when the process trapped can be refused now:
; the process loaded the selector of one of its TLS entries and has since
; changed or cleared the entry with set_thread_area. (The CPU kept a copy
; of the old descriptor when the selector was loaded; the pop reads the
; GDT again.) The pop then raises #GP(selector), or #NP(selector) for a
; descriptor that is not present (vol. 3A, 6.15, interrupts 13 and 11),
; here in ring 0. A fault happens before the instruction changes anything
; (vol. 3A, 6.5), so ESP still points at the saved selector. Each pop has
; an EX_POP_SEG entry (boot/extable.inc): the handler writes the null
; selector over the saved one and returns to the pop, which now succeeds.
; The process carries on with a null segment register, as on Linux, and
; gets SIGSEGV when it uses it (#GP from user mode).
;
; iret to ring 3 checks the saved CS and SS the same way (vol. 2A, IRET)
; and raises #GP, #NP or #SS in ring 0 if it refuses them, with the frame
; still on the stack. Its EX_IRET entry turns that into a fault of the
; process, which is killed with SIGSEGV (kernel/arch/extable.c).
global trap_return
trap_return:
	popa
.pop_gs:
	pop gs
	EX_POP_SEG .pop_gs
.pop_fs:
	pop fs
	EX_POP_SEG .pop_fs
.pop_es:
	pop es
	EX_POP_SEG .pop_es
.pop_ds:
	pop ds
	EX_POP_SEG .pop_ds
	add esp, 8              ; vector and error code
.iret:
	iret
	EX_IRET .iret

; The table of stub addresses, used by trap_init to fill the IDT.
section .rodata
global trap_stubs
align 4
trap_stubs:
%assign v 0
%rep 256
	dd trap_stub_ %+ v
%assign v v + 1
%endrep
