using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Berth.Kube.Api;

/// <summary>
/// Reads label selector text token by token, as Kubernetes' parser does: keys and values are checked
/// against the label syntax, sets need at least one value, and anything left over is an error.
/// </summary>
internal sealed partial class SelectorParser(string text)
{
    private int _at;

    public Func<JsonObject?, bool> Requirement()
    {
        static string? Value(JsonObject? labels, string key) => labels?[key].AsText();

        if (TakeSymbol("!"))
        {
            var absent = Key();
            return labels => labels?.ContainsKey(absent) != true;
        }
        var key = Key();
        if (TakeSymbol("!="))
        {
            var value = OptionalValue();
            return labels => Value(labels, key) != value;
        }
        if (TakeSymbol("==") || TakeSymbol("="))
        {
            var value = OptionalValue();
            return labels => Value(labels, key) == value;
        }
        if (TakeWord("notin"))
        {
            var values = Set();
            return labels => Value(labels, key) is not { } v || !values.Contains(v);
        }
        if (TakeWord("in"))
        {
            var values = Set();
            return labels => Value(labels, key) is { } v && values.Contains(v);
        }
        return labels => labels?.ContainsKey(key) == true;
    }

    public bool TakeComma() => TakeSymbol(",");

    public void End()
    {
        SkipSpaces();
        if (_at < text.Length)
        {
            throw Invalid($"unexpected '{text[_at..]}'");
        }
    }

    private string Key()
    {
        var key = Word() ?? throw Invalid("expected a label key");
        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (!IsLabelName(name) || (slash >= 0 && (slash == 0 || slash > 253)))
        {
            throw Invalid($"invalid label key \"{key}\"");
        }
        return key;
    }

    private string OptionalValue()
    {
        var value = Word() ?? "";
        if (value.Length > 0 && !IsLabelName(value))
        {
            throw Invalid($"invalid label value \"{value}\"");
        }
        return value;
    }

    private HashSet<string> Set()
    {
        if (!TakeSymbol("("))
        {
            throw Invalid("expected '(' after in or notin");
        }
        var values = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            values.Add(OptionalValue());
        }
        while (TakeSymbol(","));
        if (!TakeSymbol(")"))
        {
            throw Invalid("expected ')'");
        }
        if (values.All(v => v.Length == 0))
        {
            throw Invalid("for 'in', 'notin' operators, values set can't be empty");
        }
        return values;
    }

    private string? Word()
    {
        SkipSpaces();
        var start = _at;
        while (_at < text.Length && !IsSpecial(text[_at]))
        {
            _at++;
        }
        return _at > start ? text[start.._at] : null;
    }

    private bool TakeWord(string word)
    {
        var saved = _at;
        if (Word() == word)
        {
            return true;
        }
        _at = saved;
        return false;
    }

    private bool TakeSymbol(string symbol)
    {
        SkipSpaces();
        if (string.CompareOrdinal(text, _at, symbol, 0, symbol.Length) == 0)
        {
            _at += symbol.Length;
            return true;
        }
        return false;
    }

    private void SkipSpaces()
    {
        while (_at < text.Length && char.IsWhiteSpace(text[_at]))
        {
            _at++;
        }
    }

    private static bool IsSpecial(char c) => char.IsWhiteSpace(c) || c is '!' or '=' or ',' or '(' or ')';

    private static bool IsLabelName(string name) => name.Length <= 63 && LabelNamePattern().IsMatch(name);

    private KubeApiException Invalid(string reason) =>
        KubeApiException.BadRequest($"unable to parse requirement: {reason} in \"{text}\"");

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelNamePattern();
}
