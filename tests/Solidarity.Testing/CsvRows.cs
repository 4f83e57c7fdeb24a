using System.Text;

namespace Solidarity.Testing;

/// <summary>Reads CSV as RFC 4180 writes it: quoted fields, doubled quotes inside them, and rows ended by CRLF.</summary>
public static class CsvRows
{
    /// <summary>
    /// The rows of <paramref name="text"/>, each a list of fields. Text after the last CRLF is no row;
    /// <paramref name="complete"/> says there was none.
    /// </summary>
    public static List<List<string>> Parse(string text, out bool complete)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        complete = field.Length == 0 && row.Count == 0;
        return rows;
    }
}
