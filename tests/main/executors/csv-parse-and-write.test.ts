import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv, stringifyCsv } from '../../../src/main/executors/csv';

describe('CSV', () => {
  it('parses RFC 4180 quoting, CRLF and LF line ends, and a missing final line end', () => {
    expect(parseCsv('a,b\r\n"x,1","y""2"\n"multi\r\nline",\n3,4').rows).toEqual([
      { a: 'x,1', b: 'y"2' },
      { a: 'multi\r\nline', b: '' },
      { a: '3', b: '4' },
    ]);
  });

  it('names empty and repeated header cells so no column is lost', () => {
    expect(parseCsv('a,,a\n1,2,3\n').header).toEqual(['a', 'column2', 'a_2']);
  });

  it('skips blank lines and returns no rows for empty text', () => {
    expect(parseCsv('a\n\n1\n\n').rows).toEqual([{ a: '1' }]);
    expect(parseCsv('')).toEqual({ header: [], rows: [] });
  });

  it('refuses an unclosed quote and text after a closing quote, naming the line', () => {
    expect(() => parseCsv('a\n"open\n')).toThrow(CsvError);
    expect(() => parseCsv('a\n"open\n')).toThrow(/line 2: a quoted field is never closed/);
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/line 2: unexpected "y" after a closing quote/);
  });

  it('writes arrays of arrays as they are', () => {
    expect(
      stringifyCsv(
        [
          ['h1', 'h2'],
          [1, 'a;b'],
        ],
        ';',
      ),
    ).toBe('h1;h2\r\n1;"a;b"\r\n');
  });

  it('round-trips arbitrary string tables', () => {
    const rows = [
      { 'col "1"': 'a\r\nb', c2: ',,', c3: '"' },
      { 'col "1"': '', c2: ' x', c3: 'ü' },
    ];
    expect(parseCsv(stringifyCsv(rows)).rows).toEqual(rows);
  });
});
