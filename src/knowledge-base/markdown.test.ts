import { describe, expect, it } from 'vitest';
import {
  emphasisMarks,
  htmlToText,
  isTooNested,
  MarkdownTooNestedError,
  renderMarkdown,
} from './markdown.js';

describe('article Markdown', () => {
  it('renders Markdown and keeps the safe parts', async () => {
    const html = await renderMarkdown(
      '# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n\n[docs](https://example.com) ![shot](/assets/kb/a.png)',
    );
    expect(html).toContain('<h2>Title</h2>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<li>one</li>');
    expect(html).toContain('<a href="https://example.com" rel="noopener noreferrer">docs</a>');
    expect(html).toContain('<img src="/assets/kb/a.png" alt="shot" />');
    // Without a description an image is decoration, not its file name read out.
    expect(await renderMarkdown('<img src="/assets/kb/b.png">')).toContain(
      '<img src="/assets/kb/b.png" alt="" />',
    );
  });

  it('aligns table columns with classes, not the align attribute HTML5 no longer has', async () => {
    const html = await renderMarkdown('| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |');
    expect(html).not.toContain('align=');
    expect(html).toContain('<th class="align-left">a</th>');
    expect(html).toContain('<td class="align-center">2</td>');
    expect(html).toContain('<td class="align-right">3</td>');
    // Only those classes: one written into the text's own HTML is dropped.
    expect(
      await renderMarkdown('<table><tr><td class="evil" align="justify">x</td></tr></table>'),
    ).toContain('<td>x</td>');
  });

  it('makes an image from another site a link to it, which the pages would not load', async () => {
    const markdown = await renderMarkdown('See ![the diagram](https://cdn.example.com/d.png).');
    expect(markdown).toContain(
      'See <a href="https://cdn.example.com/d.png" rel="noopener noreferrer">the diagram</a>.',
    );
    expect(markdown).not.toContain('<img');
    // Without a description: named by its address.
    expect(await renderMarkdown('![](https://example.com/e.png)')).toContain(
      '<a href="https://example.com/e.png" rel="noopener noreferrer">https://example.com/e.png</a>',
    );
    // Inside a link, its description stands in the link: no link in a link.
    const linked = await renderMarkdown(
      '[![Logo of Example](https://example.com/logo.png)](https://example.com/)',
    );
    expect(linked).toContain(
      '<a href="https://example.com/" rel="noopener noreferrer">Logo of Example</a>',
    );
    expect(linked.match(/<a /g)).toHaveLength(1);
    // This help center's own images stay images, in a link too.
    expect(await renderMarkdown('[![shot](/assets/kb/a.png)](/kb)')).toContain(
      '<a href="/kb"><img src="/assets/kb/a.png" alt="shot" /></a>',
    );
  });

  it('leaves the description of an image from elsewhere written as HTML, however its address is written', async () => {
    for (const src of [
      'https://example.com/b.png',
      'http://example.com/c.png',
      '//example.com/f.png',
      'ht&#x09;tps://example.com/g.png',
      'https:\\\\example.com/h.png',
      'http:example.com/i.png',
      '\\\\example.com/j.png',
    ]) {
      const html = await renderMarkdown(`<p>See <img src="${src}" alt="the chart"> here.</p>`);
      expect(html, src).toBe('<p>See <span>the chart</span> here.</p>');
    }
    // In a link of its own: one link, named by the description.
    expect(
      await renderMarkdown(
        '<a href="https://example.com/"><img src="https://example.com/l.png" alt="Logo"></a>',
      ),
    ).toBe(
      '<p><a href="https://example.com/" rel="noopener noreferrer"><span>Logo</span></a></p>\n',
    );
    expect(await renderMarkdown('<img src="kb/relative.png" alt="R">')).toContain(
      '<img src="kb/relative.png" alt="R" />',
    );
  });

  it('takes control characters out of the text, keeping tabs and line breaks', async () => {
    const html = await renderMarkdown('A\u0000B\u0001C\u007f\u0085D\n\n```\n\tcode\n```');
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
    expect(html).toContain('AB');
    expect(html).toContain('CD');
    expect(html).toContain('\tcode');
  });

  it.each([
    ['<script>alert(1)</script>', /<script|alert/],
    ['<img src="x.png" onerror="alert(1)">', /onerror/],
    ['<a href="javascript:alert(1)">x</a>', /javascript/i],
    ['[x](javascript:alert(1))', /javascript/i],
    ['<a href="jav&#x09;ascript:alert(1)">x</a>', /ascript:/i],
    ['<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', /data:/],
    ['<img src="data:image/svg+xml,<svg onload=alert(1)>">', /data:|onload/],
    ['<svg><script>alert(1)</script></svg>', /<svg|<script/],
    ['<iframe src="https://evil.example"></iframe>', /iframe/],
    ['<p style="background:url(javascript:alert(1))">x</p>', /style|javascript/],
    ['<form action="https://evil.example"><button>go</button></form>', /<form|<button/],
    ['<a href="//evil.example/">x</a>', /evil/],
  ])('removes %s', async (markdown, forbidden) => {
    expect(await renderMarkdown(markdown)).not.toMatch(forbidden);
  });

  it('gives the readable text of the HTML, block by block', async () => {
    const html = await renderMarkdown('## Step one\n\nOpen **Your 2FA** &amp; choose.\n\n- a\n- b');
    expect(htmlToText(html)).toBe('Step one\nOpen Your 2FA & choose.\na\nb');
  });

  it('keeps a paragraph wrapped in the source on one line', async () => {
    const html = await renderMarkdown('Portico shows\nten codes,\n  each for one log-in.\n\nNext');
    expect(htmlToText(html)).toBe('Portico shows ten codes, each for one log-in.\nNext');
  });
});

describe('isTooNested', () => {
  it('refuses deep quotes and lists, by marks, markers or indentation, and nothing an article uses', async () => {
    const deepList = Array.from({ length: 150 }, (_, i) => `${' '.repeat(i * 2)}- item`).join('\n');
    for (const text of [
      '> '.repeat(101) + 'x',
      '- '.repeat(101) + 'x',
      deepList,
      `x\n${'1. '.repeat(70)}x`,
    ])
      expect(isTooNested(text), text.slice(0, 20)).toBe(true);
    for (const text of [
      '> quote\n>> deeper\n\n- a\n  - b\n    1. c',
      '    code\n\n-5 degrees',
      '> '.repeat(99) + 'x',
    ])
      expect(isTooNested(text)).toBe(false);
    await expect(renderMarkdown(deepList)).rejects.toBeInstanceOf(MarkdownTooNestedError);
  });

  it('refuses more emphasis marks than the parser pairs quickly, counting none in code', async () => {
    expect(isTooNested('_a'.repeat(5001))).toBe(true);
    expect(isTooNested('*a'.repeat(5001))).toBe(true);
    await expect(renderMarkdown('_a'.repeat(95_000))).rejects.toBeInstanceOf(
      MarkdownTooNestedError,
    );
    expect(isTooNested('_a'.repeat(5000))).toBe(false);
    // Code holds no emphasis: snake_case in blocks and spans is not counted.
    const code = 'snake_case_name '.repeat(5000);
    expect(emphasisMarks(`Run:\n\n\`\`\`\n${code}\n\`\`\`\n\nand \`${code}\`.`)).toBe(0);
    expect(emphasisMarks(`~~~sh\n${code}`)).toBe(0);
    expect(emphasisMarks('**bold** and _it_ and `a_b` and ``c_`d``')).toBe(6);
    expect(isTooNested(`\`\`\`\n${code}\n\`\`\``)).toBe(false);
  });

  it('refuses more HTML tags than the sanitizer tracks quickly, in code too', async () => {
    expect(isTooNested('<div>'.repeat(10_001))).toBe(true);
    expect(isTooNested('</b>'.repeat(10_001))).toBe(true);
    expect(isTooNested('<a>'.repeat(10_000))).toBe(false);
    // 200,000 unclosed elements kept the event loop for 14 seconds in the sanitizer.
    await expect(renderMarkdown('<div>'.repeat(200_000))).rejects.toBeInstanceOf(
      MarkdownTooNestedError,
    );
    // Inside an HTML block, a fence or backticks are no code: the tags reach the sanitizer.
    for (const wrapped of [
      `<div>\n\`\`\`\n${'<a>'.repeat(66_000)}\n\`\`\``,
      `<div>\n\`${'<i>'.repeat(66_000)}\``,
    ])
      await expect(renderMarkdown(wrapped)).rejects.toBeInstanceOf(MarkdownTooNestedError);
    // Comparisons are no tags.
    expect(isTooNested('a < b, 1 <2 '.repeat(30_000))).toBe(false);
  });

  // The scan must stay linear: a run of 190,000 backticks kept the event loop (every request)
  // waiting for minutes while it retried a code span from each mark. The test's time limit
  // is what fails here, not a measured time.
  // Runs of every length from 628 down (198 KB), none closed: a regex that tried each opening
  // to the end of the text took seconds here, against a millisecond in one pass. The limit is
  // a thousand times that.
  it('reads runs of backticks of many lengths in one pass', { timeout: 1000 }, () => {
    const runs = Array.from({ length: 628 }, (_, i) => `${'`'.repeat(628 - i)}a`).join('');
    expect(isTooNested(runs)).toBe(false);
    expect(emphasisMarks(`${runs}_x_`)).toBe(2);
  });

  it('reads a long run of backticks or tildes once, and still skips the code it closes', () => {
    for (const mark of ['`', '~']) {
      expect(isTooNested(mark.repeat(150_000))).toBe(false);
      expect(isTooNested(`Code: ${mark.repeat(100_000)}\n`)).toBe(false);
    }
    expect(emphasisMarks(`${'`'.repeat(50_000)}a_b${'`'.repeat(50_000)} and _it_`)).toBe(2);
    expect(emphasisMarks(`${'~'.repeat(40_000)} x_y\na_b\n${'~'.repeat(40_000)}\n_c_`)).toBe(2);
    // A span closes at the next run of its own length only, as CommonMark reads it.
    expect(emphasisMarks('``a_`b`` _c_ `d_e`')).toBe(2);
  });
});
