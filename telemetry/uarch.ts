/**
 * Recognises a CPU's microarchitecture from /proc/cpuinfo's vendor, family and model (x86) or
 * implementer and part (ARM), and maps it to the closest uarch column of the Pitot platform
 * features (shared/data/pitot/platforms.csv) so never-seen devices land near similar ones.
 * @module
 */

/** The uarch columns of platforms.csv, in order. */
export const PLATFORM_UARCHS = [
  'btver2', 'cortex-a53', 'cortex-a55', 'cortex-a72', 'cortex-m7', 'generic-rv64', 'goldmont-plus',
  'haswell', 'silvermont', 'skylake', 'tigerlake', 'znver1', 'znver2', 'znver3',
] as const
export type PlatformUarch = typeof PLATFORM_UARCHS[number]

interface Entry { uarch: string; platform: PlatformUarch }

// Intel family 6 model numbers (Intel SDM vol. 4 table 2-1 and the kernel's intel-family.h).
// Newer big cores map to tigerlake (the newest big core in the dataset), Atom cores to the
// nearest Atom generation in the dataset.
const INTEL6: Record<number, Entry> = {}
const intel = (models: number[], uarch: string, platform: PlatformUarch) => { for (const m of models) INTEL6[m] = { uarch, platform } }
intel([0x3c, 0x3f, 0x45, 0x46], 'haswell', 'haswell')
intel([0x3d, 0x47, 0x4f, 0x56], 'broadwell', 'haswell')
intel([0x4e, 0x5e, 0x55, 0x8e, 0x9e, 0xa5, 0xa6], 'skylake', 'skylake')
intel([0x7d, 0x7e, 0x6a, 0x6c], 'icelake', 'tigerlake')
intel([0x8c, 0x8d], 'tigerlake', 'tigerlake')
intel([0x97, 0x9a, 0xb7, 0xba, 0xbf], 'alderlake', 'tigerlake')
intel([0x8f], 'sapphirerapids', 'tigerlake')
intel([0xcf], 'emeraldrapids', 'tigerlake')
intel([0xad, 0xae], 'graniterapids', 'tigerlake')
intel([0x37, 0x4a, 0x4d, 0x5a, 0x5d, 0x4c], 'silvermont', 'silvermont')
intel([0x5c, 0x5f], 'goldmont', 'goldmont-plus')
intel([0x7a], 'goldmont-plus', 'goldmont-plus')
intel([0x86, 0x96, 0x9c], 'tremont', 'goldmont-plus')

// ARM Ltd (implementer 0x41) part numbers.
const ARM: Record<number, Entry> = {
  0xd03: { uarch: 'cortex-a53', platform: 'cortex-a53' },
  0xd04: { uarch: 'cortex-a35', platform: 'cortex-a53' },
  0xd05: { uarch: 'cortex-a55', platform: 'cortex-a55' },
  0xd07: { uarch: 'cortex-a57', platform: 'cortex-a72' },
  0xd08: { uarch: 'cortex-a72', platform: 'cortex-a72' },
  0xd09: { uarch: 'cortex-a73', platform: 'cortex-a72' },
  0xd0a: { uarch: 'cortex-a75', platform: 'cortex-a72' },
  0xd0b: { uarch: 'cortex-a76', platform: 'cortex-a72' },
}

function amd(family: number, model: number): Entry | null {
  if (family === 0x16) return { uarch: 'btver2', platform: 'btver2' }
  if (family === 0x17) return model < 0x30 ? { uarch: 'znver1', platform: 'znver1' } : { uarch: 'znver2', platform: 'znver2' }
  if (family === 0x19) {
    const zen4 = (model >= 0x10 && model <= 0x1f) || (model >= 0x60 && model <= 0x7f) || model >= 0xa0
    return zen4 ? { uarch: 'znver4', platform: 'znver3' } : { uarch: 'znver3', platform: 'znver3' }
  }
  if (family === 0x1a) return { uarch: 'znver5', platform: 'znver3' }
  return null
}

/**
 * The microarchitecture (`uarch`, null if unrecognised) and the platforms.csv column it is
 * encoded as (`platform`, null = none: all uarch columns −1, as for any uarch outside the dataset).
 */
export function recogniseUarch(arch: string, vendor: string, family: number | null, model: number | null): { uarch: string | null; platform: PlatformUarch | null } {
  let e: Entry | null = null
  if (vendor === 'GenuineIntel' && family === 6 && model !== null) e = INTEL6[model] ?? null
  else if (vendor === 'AuthenticAMD' && family !== null && model !== null) e = amd(family, model)
  else if (family === 0x41 && model !== null) e = ARM[model] ?? null
  else if (arch === 'riscv64') e = { uarch: 'generic-rv64', platform: 'generic-rv64' }
  return e ? { uarch: e.uarch, platform: e.platform } : { uarch: null, platform: null }
}
