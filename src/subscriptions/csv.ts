// RFC 4180 CSV with line numbers, so a bad row can be named by the line a person sees in an editor.
// What formatCsv writes, parseCsv reads back exactly, including the formula guard below.

export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface CsvParse {
  records: CsvRecord[];
  /** A problem that stopped the reading; the records before it are good. */
  error?: { line: number; problem: string };
}

/**
 * A cell a spreadsheet would run as a formula (=, +, - and @, and tab or CR before them; OWASP "CSV
 * injection"). On export such a cell gets a leading "'" (spreadsheets show it as text); on import one
 * leading "'" is taken off again. So that this is exact both ways, a value that already starts with
 * quotes before one of those characters ("'=x") gets one more: export adds a quote to exactly the
 * values matching ^'*[=+\-@\t\r], import removes one from exactly the cells matching ^'+[=+\-@\t\r],
 * and the first set, quoted, is the second.
 */
const FORMULA = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;

const unguard = (cell: string) => (GUARDED.test(cell) ? cell.slice(1) : cell);

export function parseCsv(text: string): CsvParse {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    fields.push(unguard(field));
    field = '';
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: recordLine, fields });
    fields = [];
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      quoteLine = line;
      field = '';
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted) {
    // Where the closing quote was meant to be cannot be known, so nothing after the opening quote can
    // be trusted: its row and the rest of the file are left out, and the rows before it are kept.
    const problem = 'unterminated quoted field (the " opened on this line is never closed); this row and every line after it were not read';
    return { records, error: { line: quoteLine, problem } };
  }
  if (field !== '' || fields.length > 0) endRecord();
  return { records };
}

export function csvField(value: string): string {
  if (FORMULA.test(value)) return `"'${value.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function formatCsv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
