; Context switch between kernel stacks.
;
; switch_context(uint32_t *save_esp, uint32_t next_esp) saves the
; callee-saved registers of the running process on its kernel stack, stores
; its stack pointer in *save_esp, loads next_esp and restores the registers
; the other process saved the same way. The `ret` then returns into
; whatever called switch_context in that process (or, for a new process,
; into proc_first_return, which leaves for user mode through trap_return).
;
; No segment register is loaded here. In the kernel DS and ES hold the
; kernel's data selector and FS and GS are null, whichever process runs
; (trap_common sets them); a process's own selectors come back only in
; trap_return, after the scheduler has put its TLS descriptors into the
; GDT, and that is where a selector the CPU refuses is dealt with.

bits 32
section .text

global switch_context
switch_context:
	mov eax, [esp + 4]      ; save_esp
	mov edx, [esp + 8]      ; next_esp
	push ebp
	push ebx
	push esi
	push edi
	mov [eax], esp
	mov esp, edx
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

; A new process's first switch lands here with ESP at its trap frame. It
; leaves for user mode as every trap does: through trap_return_to_user
; (a signal sent before it ever ran is acted on now), then trap_return.
extern trap_return
extern trap_return_to_user
global proc_first_return
proc_first_return:
	push esp                ; struct trapframe *
	call trap_return_to_user
	add esp, 4
	jmp trap_return
