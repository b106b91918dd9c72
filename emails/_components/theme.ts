// Colours chosen to keep contrast when a client inverts or darkens the email (dark mode): explicit
// background and text colours on every block, a mid-tone accent readable on both white and near-black.
export const theme = {
  page: '#f4f4f5',
  card: '#ffffff',
  text: '#1f2328',
  muted: '#57606a',
  accent: '#0b6bcb',
  rule: '#d0d7de',
  tagBg: '#eaf2fb',
  font: 'Helvetica, Arial, sans-serif',
  width: 600,
} as const;
