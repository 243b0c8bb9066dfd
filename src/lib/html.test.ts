import { describe, expect, it } from 'vitest';
import { escapeHtml, html, unsafeRaw } from './html.js';

describe('escapeHtml', () => {
  it('escapes the five characters that change the meaning of markup', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('drops control characters and keeps tab and line breaks', () => {
    expect(escapeHtml('a\u0000b\u0008c\u001fd\u007fe\u009ff')).toBe('abcdef');
    expect(escapeHtml('a\tb\nc\rd')).toBe('a\tb\nc\rd');
  });

  it('returns text with nothing to escape as it is, every time', () => {
    // The test before the replace must not keep state between calls (a global pattern would).
    for (let i = 0; i < 3; i++) {
      expect(escapeHtml('Two-factor authentication')).toBe('Two-factor authentication');
      expect(escapeHtml('Tom & Jerry')).toBe('Tom &amp; Jerry');
      expect(escapeHtml('<b')).toBe('&lt;b');
    }
    expect(escapeHtml('')).toBe('');
    expect(escapeHtml('Zwei-Faktor — ünïcödé ✓')).toBe('Zwei-Faktor — ünïcödé ✓');
  });
});

describe('html', () => {
  it('escapes values, not the template, and leaves safe markup alone', () => {
    const name = '<script>alert(1)</script>';
    const bold = unsafeRaw('<b>ok</b>');
    // Called by another name: the formatter would otherwise lay out the template as markup.
    const escaped = html;
    const page = escaped`<p class="n">${name}</p>${bold}`;
    expect(page.value).toBe('<p class="n">&lt;script&gt;alert(1)&lt;/script&gt;</p><b>ok</b>');
  });

  it("takes the source's indentation and blank lines out of the template, never out of a value", () => {
    const escaped = html;
    const value = 'line one\n    indented\n\n  kept';
    const page = escaped`<ul>
      <li>${value}</li>

      <li>${unsafeRaw('<pre>a\n    b</pre>')}</li>
    </ul>`;
    expect(page.value).toBe(
      '<ul>\n<li>line one\n    indented\n\n  kept</li>\n<li><pre>a\n    b</pre></li>\n</ul>',
    );
  });

  it('keeps the line break that opens a text area, so its content starts where it did', () => {
    const escaped = html;
    const field = (text: string) => escaped`<textarea
      name="body"
    >
${text}</textarea>`;
    expect(field('\n  first').value).toBe('<textarea\nname="body"\n>\n\n  first</textarea>');
    expect(field('second call').value).toBe('<textarea\nname="body"\n>\nsecond call</textarea>');
  });

  it('writes nothing for null, undefined and false, numbers as text, and lists in order', () => {
    const list = ['a<', html`<i>b</i>`, null, 3];
    expect(html`${null}${undefined}${false}${0}|${list}`.value).toBe('0|a&lt;<i>b</i>3');
  });
});
