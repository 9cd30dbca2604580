; Multiboot header and kernel entry.
;
; The loader (GRUB or QEMU -kernel) enters _start in 32-bit protected mode
; with paging off, EAX = Multiboot magic and EBX = physical address of the
; Multiboot information structure (Multiboot spec 0.6.96, section 3.2).
; The kernel is linked at 0xC0100000 but loaded at 1 MiB, so until paging is
; on every absolute address must be converted with V2P.
;
; The boot page directory uses 4 MiB pages (CR4.PSE, Intel SDM vol. 3A,
; section 4.3) so that no page tables are needed yet: it identity-maps the
; first 4 MiB (the code running right now) and maps physical memory
; 0..768 MiB at 0xC0000000 (the direct map). The memory manager replaces it
; with 4 KiB page tables later in boot.

bits 32

KERNEL_VMA        equ 0xC0000000
MB_HEADER_MAGIC   equ 0x1BADB002            ; Multiboot spec 3.1.1
MB_FLAG_PAGEALIGN equ 1 << 0                ; modules aligned on 4 KiB
MB_FLAG_MEMINFO   equ 1 << 1                ; ask for mem_* and mmap_*
MB_HEADER_FLAGS   equ MB_FLAG_PAGEALIGN | MB_FLAG_MEMINFO

PDE_PRESENT       equ 1 << 0
PDE_WRITE         equ 1 << 1
PDE_LARGE         equ 1 << 7                ; PS bit: 4 MiB page
DIRECT_MAP_PDES   equ 192                   ; 192 * 4 MiB = 768 MiB
CR0_PG            equ 1 << 31
CR0_WP            equ 1 << 16               ; honour read-only PTEs in ring 0
CR4_PSE           equ 1 << 4
BOOT_STACK_SIZE   equ 16384

%define V2P(addr) ((addr) - KERNEL_VMA)

section .multiboot
align 4
	dd MB_HEADER_MAGIC
	dd MB_HEADER_FLAGS
	dd -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

section .bss
align 4096
global boot_page_directory
boot_page_directory:
	resb 4096
global boot_stack_bottom
boot_stack_bottom:
	resb BOOT_STACK_SIZE
global boot_stack_top
boot_stack_top:

section .text
global _start
_start:
	cli
	cld
	mov edi, eax                    ; Multiboot magic, checked in C
	mov esi, ebx                    ; Multiboot info (physical)

	; Identity map 0..4 MiB so the next instructions survive paging-on.
	mov edx, V2P(boot_page_directory)
	mov dword [edx], PDE_PRESENT | PDE_WRITE | PDE_LARGE

	; Direct map: PDE[768 + i] -> physical i * 4 MiB.
	xor ecx, ecx
.fill:
	mov eax, ecx
	shl eax, 22
	or eax, PDE_PRESENT | PDE_WRITE | PDE_LARGE
	mov [edx + (KERNEL_VMA >> 22) * 4 + ecx * 4], eax
	inc ecx
	cmp ecx, DIRECT_MAP_PDES
	jb .fill

	mov eax, cr4
	or eax, CR4_PSE
	mov cr4, eax
	mov cr3, edx
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax

	mov eax, higher_half            ; absolute jump into the higher half
	jmp eax

higher_half:
	; The identity mapping is no longer needed: unmap it so that NULL and
	; other low addresses fault from now on.
	mov dword [boot_page_directory], 0
	mov eax, cr3
	mov cr3, eax

	mov esp, boot_stack_top
	xor ebp, ebp                    ; terminates backtraces
	push esi                        ; kmain(magic, mbi_phys)
	push edi
	extern kmain
	call kmain
.hang:
	cli
	hlt
	jmp .hang
