; Non-local jumps for the kernel: kjmp_save / kjmp_resume.
;
; kjmp_save(buf) stores the callee-saved registers (EBX, ESI, EDI, EBP),
; the stack pointer and the return address, and returns 0. kjmp_resume(buf,
; v) restores them and makes that kjmp_save return v (never 0). The test
; framework uses this to get back from a CPU exception it expected.
; struct kjmp_buf in kernel/arch/kjmp.h mirrors the layout: ebx esi edi ebp esp eip.

bits 32
section .text

global kjmp_save
kjmp_save:
	mov eax, [esp + 4]
	mov [eax + 0], ebx
	mov [eax + 4], esi
	mov [eax + 8], edi
	mov [eax + 12], ebp
	lea ecx, [esp + 4]          ; the stack pointer after our return
	mov [eax + 16], ecx
	mov ecx, [esp]              ; the return address
	mov [eax + 20], ecx
	xor eax, eax
	ret

global kjmp_resume
kjmp_resume:
	mov edx, [esp + 4]
	mov eax, [esp + 8]
	test eax, eax
	jnz .nonzero
	inc eax
.nonzero:
	mov ebx, [edx + 0]
	mov esi, [edx + 4]
	mov edi, [edx + 8]
	mov ebp, [edx + 12]
	mov esp, [edx + 16]
	jmp [edx + 20]

; kstack_call(fn, arg, stack_top): calls fn(arg) with the stack pointer at
; stack_top, and comes back to the caller's stack when fn returns. Used to
; run code on a freshly allocated kernel stack.
global kstack_call
kstack_call:
	push ebp
	mov ebp, esp
	mov eax, [ebp + 8]              ; fn
	mov ecx, [ebp + 12]             ; arg
	mov esp, [ebp + 16]             ; the new stack
	push ecx
	call eax
	mov esp, ebp
	pop ebp
	ret
