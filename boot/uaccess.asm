; Copies between kernel and user memory that may fault.
;
; Each instruction that touches user memory is listed in the exception-fixup
; table as an EX_RESUME entry (boot/extable.inc, kernel/arch/extable.h): when it
; faults and the page-fault handler cannot resolve the fault for the
; process (see kernel/syscall/uaccess.h), trap_dispatch resumes at the fixup, which
; returns -EFAULT (-14, include/uapi/asm-generic/errno-base.h).
;
; All functions: cdecl, return 0 or -EFAULT in EAX. Range checks against
; KERNEL_VMA are done in C before calling these.

bits 32

%include "extable.inc"

EFAULT equ 14

section .text

; int uaccess_copy(void *dst, const void *src, size_t n)
global uaccess_copy
uaccess_copy:
	push esi
	push edi
	mov edi, [esp + 12]
	mov esi, [esp + 16]
	mov ecx, [esp + 20]
	cld
.copy:
	rep movsb
	EX_RESUME .copy, uaccess_fault
	xor eax, eax
	pop edi
	pop esi
	ret

; int uaccess_zero(void *dst, size_t n)
global uaccess_zero
uaccess_zero:
	push edi
	mov edi, [esp + 8]
	mov ecx, [esp + 12]
	xor eax, eax
	cld
.zero:
	rep stosb
	EX_RESUME .zero, uaccess_fault_edi
	pop edi
	ret

; int uaccess_strncpy(char *dst, const char *src, size_t max)
; Copies up to max bytes, stopping after a NUL. Returns the string length
; (bytes before the NUL), or max when no NUL was found, or -EFAULT.
global uaccess_strncpy
uaccess_strncpy:
	push esi
	push edi
	mov edi, [esp + 12]
	mov esi, [esp + 16]
	mov ecx, [esp + 20]
	xor edx, edx
.next:
	cmp edx, ecx
	je .done
.load:
	mov al, [esi + edx]
	EX_RESUME .load, uaccess_fault
	mov [edi + edx], al
	test al, al
	jz .done
	inc edx
	jmp .next
.done:
	mov eax, edx
	pop edi
	pop esi
	ret

; The fixups: the stack is as the faulting function left it.
uaccess_fault:
	mov eax, -EFAULT
	pop edi
	pop esi
	ret

uaccess_fault_edi:
	mov eax, -EFAULT
	pop edi
	ret
