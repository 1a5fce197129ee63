/**
 * The dataset's opcode feature space: the op_xNN columns of data/pitot/workloads.csv, in that
 * order. 0xC6 and 0xC8-0xCD are not MVP opcodes; the dataset's tool counted something there
 * that plain WASI modules never produce, so our profiles leave those columns at ln(1) = 0.
 * @module
 */

/** Opcode bytes of the dataset's 141 feature columns, in column order. */
export const DATASET_OPCODES: readonly number[] = (
  '04 05 0C 0D 0E 0F 10 11 1B 23 24 28 29 2C 2D 2E 2F 31 33 34 35 36 37 3A 3B 3C 3D 3E 3F 40 ' +
  '45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 51 52 53 54 55 56 57 58 59 5A 5B 5C 5D 5E 5F 60 61 62 ' +
  '63 64 65 66 67 68 69 6A 6B 6C 6D 6E 6F 70 71 72 73 74 75 76 77 79 7A 7B 7C 7D 7E 7F 80 81 ' +
  '83 84 85 86 87 88 89 8B 8C 8D 8E 91 92 93 94 95 99 9A 9B 9C 9F A0 A1 A2 A3 A6 A7 A8 AA AB ' +
  'AC AD B2 B3 B6 B7 B8 B9 BB BC BD BE BF C6 C8 C9 CA CB CC CD FC'
).split(' ').map((h) => parseInt(h, 16))

/** Column names as in workloads.csv (op_x04 ...). */
export const DATASET_OPCODE_COLUMNS: readonly string[] = DATASET_OPCODES.map((o) => `op_x${o.toString(16).toUpperCase().padStart(2, '0')}`)
