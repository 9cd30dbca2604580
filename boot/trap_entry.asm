; Trap entry stubs.
;
; One stub per vector pushes a zero error code when the CPU does not push
; one (Intel SDM vol. 3A, table 6-1 lists which exceptions do), then the
; vector number, and jumps to trap_common, which saves the rest of the
; registers as a struct trapframe (kernel/trap.h) and calls trap_dispatch.

bits 32

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
global trap_return
trap_return:
	popa
	pop gs
	pop fs
	pop es
	pop ds
	add esp, 8              ; vector and error code
	iret

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
