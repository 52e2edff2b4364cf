using System.Text;
using System.Text.Unicode;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>
/// A strict, allocation-light reader of a small XML document such as /info (XML 1.0, UTF-8): it checks that the whole
/// document is well formed and returns the root's name and the text of the elements at most two levels below it,
/// keyed by path ("time", "device/sn"), first occurrence only. Why not System.Xml: /info is the only XML the agent
/// reads, and System.Private.Xml (+ Xml.Linq) cost an Enphase-polling agent about 3 MB of mapped code and their
/// JIT-compiled paths (bench/README.md, "enphase"). What it refuses, like XmlReader with DtdProcessing.Prohibit:
/// DTDs and entity declarations, entities other than the five predefined ones and character references, mismatched
/// or unclosed tags, text outside the root, control characters, invalid UTF-8, other declared encodings.
/// Every refusal is an <see cref="EnphaseFormatException"/> for <c>endpoint</c>.
/// </summary>
internal static class FlatXml
{
    private const int MaxBytes = 1 << 20;
    private const int MaxDepth = 32;
    private const int RecordedDepth = 3; // the root, its children, their children

    internal sealed record Document(string RootName, IReadOnlyDictionary<string, string> Text);

    public static Document Read(ReadOnlySpan<byte> body, string endpoint)
    {
        if (body.Length > MaxBytes) throw Error(endpoint, $"larger than {MaxBytes} bytes");
        if (!Utf8.IsValid(body)) throw Error(endpoint, "not valid UTF-8");
        if (body.StartsWith("\uFEFF"u8)) body = body[3..];
        var reader = new Cursor(body, endpoint);
        reader.Prolog();
        return reader.RootElement();
    }

    private static EnphaseFormatException Error(string endpoint, string problem) => new(endpoint, $"not valid XML ({problem})");

    private ref struct Cursor(ReadOnlySpan<byte> text, string endpoint)
    {
        private readonly ReadOnlySpan<byte> _text = text;
        private int _at;

        private readonly bool AtEnd => _at >= _text.Length;
        private readonly ReadOnlySpan<byte> Rest => _text[_at..];

        /// <summary>The declaration (first, UTF-8 only), then comments, processing instructions and whitespace; no DTD.</summary>
        public void Prolog()
        {
            if (Rest.StartsWith("<?xml"u8) && Rest.Length > 5 && IsSpace(Rest[5])) Declaration();
            Miscellany();
            if (AtEnd) throw Fail("no root element");
        }

        public Document RootElement()
        {
            var names = new List<string>();
            var text = new List<StringBuilder>();
            var recorded = new Dictionary<string, string>(StringComparer.Ordinal);
            string? root = null;
            if (Rest.Length < 2 || Rest[0] != '<' || Rest[1] == '/') throw Fail("no root element");
            do
            {
                if (Rest.StartsWith("</"u8))
                {
                    _at += 2;
                    var name = Name();
                    SkipSpace();
                    Expect((byte)'>');
                    if (names.Count == 0 || names[^1] != name) throw Fail($"</{name}> does not close <{(names.Count == 0 ? "" : names[^1])}>");
                    if (names.Count is > 1 and <= RecordedDepth)
                        recorded.TryAdd(string.Join('/', names.Skip(1)), text[names.Count - 1].ToString());
                    names.RemoveAt(names.Count - 1);
                }
                else if (Rest.StartsWith("<!--"u8)) Comment();
                else if (Rest.StartsWith("<![CDATA["u8)) Append(text, names.Count, CData());
                else if (Rest.StartsWith("<!"u8)) throw Fail("DTDs and declarations are not accepted");
                else if (Rest.StartsWith("<?"u8)) Instruction();
                else if (Rest.StartsWith("<"u8))
                {
                    _at++;
                    var name = Name();
                    root ??= name;
                    var empty = Attributes();
                    if (names.Count == MaxDepth) throw Fail($"nested deeper than {MaxDepth} elements");
                    if (empty)
                    {
                        if (names.Count is > 0 and < RecordedDepth) recorded.TryAdd(string.Join('/', names.Skip(1).Append(name)), "");
                    }
                    else
                    {
                        names.Add(name);
                        if (text.Count < names.Count) text.Add(new StringBuilder());
                        text[names.Count - 1].Clear();
                    }
                }
                else Append(text, names.Count, CharacterData());
                if (names.Count > 0 && AtEnd) throw Fail($"<{names[^1]}> is not closed");
            }
            while (names.Count > 0);
            Miscellany();
            if (!AtEnd) throw Fail("content after the root element");
            return new Document(root!, recorded);
        }

        private static void Append(List<StringBuilder> text, int depth, string value)
        {
            if (depth is > 0 and <= RecordedDepth) text[depth - 1].Append(value);
        }

        // XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>' (XML 1.0 section 2.8); only version 1.0, only UTF-8.
        private void Declaration()
        {
            _at += 5;
            var version = Pseudo("version", required: true);
            if (version != "1.0") throw Fail($"XML version '{version}' (only 1.0 is read)");
            var encoding = Pseudo("encoding", required: false);
            if (encoding is not null && !encoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase)) throw Fail("only UTF-8 documents are read");
            var standalone = Pseudo("standalone", required: false);
            if (standalone is not (null or "yes" or "no")) throw Fail($"standalone='{standalone}'");
            SkipSpace();
            if (!Rest.StartsWith("?>"u8)) throw Fail("malformed XML declaration");
            _at += 2;
        }

        /// <summary>One S name Eq quoted-value of the declaration, or null (and nothing consumed) when the next one is not it.</summary>
        private string? Pseudo(string name, bool required)
        {
            var start = _at;
            if (!SkipSpace() || !Rest.StartsWith(Encoding.ASCII.GetBytes(name)))
            {
                _at = start;
                return required ? throw Fail($"the XML declaration has no {name}") : null;
            }
            _at += name.Length;
            SkipSpace();
            Expect((byte)'=');
            SkipSpace();
            if (AtEnd || Rest[0] is not ((byte)'"' or (byte)'\'')) throw Fail($"{name} in the XML declaration is not quoted");
            var quote = Rest[0];
            _at++;
            var end = Rest.IndexOf(quote);
            if (end < 0) throw Fail("malformed XML declaration");
            var value = Encoding.UTF8.GetString(Rest[..end]);
            _at += end + 1;
            return value;
        }

        private void Miscellany()
        {
            while (true)
            {
                SkipSpace();
                if (Rest.StartsWith("<!--"u8)) Comment();
                else if (Rest.StartsWith("<!"u8)) throw Fail("DTDs and declarations are not accepted");
                else if (Rest.StartsWith("<?"u8)) Instruction();
                else return;
            }
        }

        private void Comment()
        {
            var end = Rest[4..].IndexOf("--"u8);
            if (end < 0 || !Rest[(4 + end)..].StartsWith("-->"u8)) throw Fail("unterminated comment or '--' inside one");
            CheckCharacters(Rest.Slice(4, end));
            _at += 4 + end + 3;
        }

        private void Instruction()
        {
            _at += 2;
            var target = Name();
            if (target.Equals("xml", StringComparison.OrdinalIgnoreCase)) throw Fail("an XML declaration is only allowed at the start");
            if (!SkipSpace() && !Rest.StartsWith("?>"u8)) throw Fail($"processing instruction '{target}' needs whitespace after its target");
            var end = Rest.IndexOf("?>"u8);
            if (end < 0) throw Fail("unterminated processing instruction");
            CheckCharacters(Rest[..end]);
            _at += end + 2;
        }

        private string CData()
        {
            _at += 9;
            var end = Rest.IndexOf("]]>"u8);
            if (end < 0) throw Fail("unterminated CDATA section");
            CheckCharacters(Rest[..end]);
            var value = Encoding.UTF8.GetString(Rest[..end]);
            _at += end + 3;
            return value;
        }

        /// <summary>Text up to the next '&lt;' with its references resolved.</summary>
        private string CharacterData()
        {
            var end = Rest.IndexOf((byte)'<');
            var raw = end < 0 ? Rest : Rest[..end];
            if (raw.IndexOf("]]>"u8) >= 0) throw Fail("']]>' in text");
            var value = Resolve(raw);
            _at += raw.Length;
            return value;
        }

        /// <returns>True for an empty element (&lt;x/&gt;).</returns>
        private bool Attributes()
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var spaced = SkipSpace();
                if (AtEnd) throw Fail("unterminated start tag");
                if (Rest.StartsWith("/>"u8)) { _at += 2; return true; }
                if (Rest[0] == '>') { _at++; return false; }
                if (!spaced) throw Fail("attributes must be separated by whitespace");
                var name = Name();
                if (!seen.Add(name)) throw Fail($"attribute '{name}' given twice");
                SkipSpace();
                Expect((byte)'=');
                SkipSpace();
                if (AtEnd || Rest[0] is not ((byte)'"' or (byte)'\'')) throw Fail($"attribute '{name}' has no quoted value");
                var quote = Rest[0];
                _at++;
                var end = Rest.IndexOf(quote);
                if (end < 0) throw Fail($"attribute '{name}' is not closed");
                if (Rest[..end].IndexOf((byte)'<') >= 0) throw Fail($"'<' in attribute '{name}'");
                Resolve(Rest[..end]);
                _at += end + 1;
            }
        }

        private string Name()
        {
            var length = 0;
            while (_at + length < _text.Length && IsNameByte(_text[_at + length], length == 0)) length++;
            if (length == 0) throw Fail(AtEnd ? "unexpected end of the document" : $"a name was expected at byte {_at}");
            var name = Encoding.UTF8.GetString(_text.Slice(_at, length));
            _at += length;
            return name;
        }

        private readonly string Resolve(ReadOnlySpan<byte> raw)
        {
            CheckCharacters(raw);
            var amp = raw.IndexOf((byte)'&');
            if (amp < 0) return Encoding.UTF8.GetString(raw);
            var value = new StringBuilder();
            while (amp >= 0)
            {
                value.Append(Encoding.UTF8.GetString(raw[..amp]));
                var semicolon = raw[amp..].IndexOf((byte)';');
                if (semicolon < 0 || semicolon > 12) throw Fail("'&' that starts no reference");
                value.Append(Reference(Encoding.UTF8.GetString(raw.Slice(amp + 1, semicolon - 1))));
                raw = raw[(amp + semicolon + 1)..];
                amp = raw.IndexOf((byte)'&');
            }
            return value.Append(Encoding.UTF8.GetString(raw)).ToString();
        }

        private readonly string Reference(string name)
        {
            switch (name)
            {
                case "lt": return "<";
                case "gt": return ">";
                case "amp": return "&";
                case "apos": return "'";
                case "quot": return "\"";
            }
            var hex = name.StartsWith("#x", StringComparison.Ordinal);
            if (name.StartsWith('#') && name.Length > (hex ? 2 : 1)
                && int.TryParse(name.AsSpan(hex ? 2 : 1), hex ? System.Globalization.NumberStyles.AllowHexSpecifier : System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var code) && IsXmlCharacter(code))
                return char.ConvertFromUtf32(code);
            throw Fail($"unknown or invalid reference '&{name};'");
        }

        private readonly void CheckCharacters(ReadOnlySpan<byte> raw)
        {
            foreach (var b in raw)
                if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r')) throw Fail($"control character 0x{b:X2}");
        }

        private bool SkipSpace()
        {
            var start = _at;
            while (!AtEnd && IsSpace(_text[_at])) _at++;
            return _at > start;
        }

        private void Expect(byte expected)
        {
            if (AtEnd || _text[_at] != expected) throw Fail($"'{(char)expected}' expected at byte {_at}");
            _at++;
        }

        private readonly EnphaseFormatException Fail(string problem) => Error(endpoint, problem);

        private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

        // ASCII name characters per XML 1.0 section 2.3; any non-ASCII byte is let through as part of a name.
        private static bool IsNameByte(byte b, bool first) =>
            b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or (byte)'_' or (byte)':' or >= 0x80
            || (!first && b is >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.');

        private static bool IsXmlCharacter(int code) =>
            code is 0x9 or 0xA or 0xD or >= 0x20 and <= 0xD7FF or >= 0xE000 and <= 0xFFFD or >= 0x10000 and <= 0x10FFFF;
    }
}
