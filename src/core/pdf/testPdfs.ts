// Hand-made PDFs for tests: a valid one with a text layer per page, an encrypted one, a truncated one and
// one with no pages. Offsets in the xref table are computed, so pdfjs opens them without repair.

function build(objects: string[], trailerExtra = ''): Buffer {
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** One page per text, each with the text drawn in Helvetica (so pdfjs has a text layer to return). */
export function textPdf(pageTexts: readonly string[]): Buffer {
  const n = pageTexts.length;
  // 1 catalog, 2 pages, 3 font, then per page: page object and its content stream.
  const kids = pageTexts.map((_, i) => `${4 + i * 2} 0 R`).join(' ');
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${kids}] /Count ${n} >>`, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'];
  pageTexts.forEach((t, i) => {
    const stream = `BT /F1 18 Tf 40 120 Td (${t.replace(/[()\\]/g, (c) => `\\${c}`)}) Tj ET`;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + i * 2} 0 R >>`);
    objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  });
  return build(objects);
}

export function zeroPagePdf(): Buffer {
  return build(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>']);
}

/** Standard security handler, RC4 40-bit, with a user password: pdfjs asks for it (PasswordException). */
export function encryptedPdf(): Buffer {
  const o = '<' + 'ab'.repeat(32) + '>';
  const u = '<' + 'cd'.repeat(32) + '>';
  return build(
    ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] >>', `<< /Filter /Standard /V 1 /R 2 /O ${o} /U ${u} /P -44 >>`],
    ' /Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]',
  );
}

/** The first `keep` bytes of a valid PDF (an interrupted download). */
export function truncatedPdf(keep = 60): Buffer {
  return textPdf(['Invoice']).subarray(0, keep);
}
