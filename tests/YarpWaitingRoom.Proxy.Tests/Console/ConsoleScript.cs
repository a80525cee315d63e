using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace YarpWaitingRoom.Proxy.Tests.Console;

/// <summary>
/// Reading <c>console.js</c> as the package embeds it, for the tests that hold it to the page and its texts; and running it
/// under node against a page's elements (<see cref="RunAsync"/>), for the tests of what it draws and sends.
/// </summary>
internal static partial class ConsoleScript
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Where node is; null when it is not installed (the tests that need it skip).</summary>
    public static string? Node { get; } = new[] { "/usr/bin/node", "/usr/local/bin/node" }.FirstOrDefault(File.Exists);

    public static string Source()
    {
        using var stream = typeof(Yarp.Console.ConsolePage).Assembly.GetManifestResourceStream("YarpWaitingRoom.Yarp.Console.Assets.console.js")
            ?? throw new InvalidOperationException("console.js is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Every <c>text.key</c> the script reads.</summary>
    public static List<string> TextsRead(string script) =>
        TextRead().Matches(script).Select(m => m.Groups["key"].Value).Distinct().ToList();

    /// <summary>Every id the script looks up with <c>byId('wr-…')</c> or sets with <c>setText('wr-…', …)</c>.</summary>
    public static List<string> IdsRead(string script) =>
        IdRead().Matches(script).Select(m => m.Groups["id"].Value).Distinct().Where(id => id != "wr-console-data").ToList();

    /// <summary>The script's string literals in single quotes (its comments taken out first).</summary>
    public static List<string> StringLiterals(string script) =>
        Literal().Matches(Comment().Replace(script, string.Empty)).Select(m => m.Groups["value"].Value).ToList();

    /// <summary>
    /// A step of <see cref="RunAsync"/>: the live stream's tick carrying <paramref name="view"/> (the room view's JSON) and
    /// <paramref name="timeline"/>'s new entries.
    /// </summary>
    public static JsonObject Tick(JsonNode view, JsonArray? timeline = null) => new() { ["view"] = view, ["timeline"] = timeline ?? [] };

    /// <summary>
    /// A step of <see cref="RunAsync"/>: the operator fills the inputs of the form <c>data-control="<paramref name="control"/>"</c>
    /// with <paramref name="values"/> (by name) and submits it; the confirmation is accepted, and a call the script makes is
    /// answered <paramref name="status"/> with <paramref name="answer"/>.
    /// </summary>
    public static JsonObject Submit(string control, IReadOnlyDictionary<string, string> values, int status = 200, JsonNode? answer = null)
    {
        var fields = new JsonObject();
        foreach (var (name, value) in values)
        {
            fields[name] = value;
        }

        return new() { ["control"] = control, ["values"] = fields, ["answer"] = new JsonObject { ["status"] = status, ["body"] = answer } };
    }

    /// <summary>
    /// Runs <c>console.js</c> under node in a stand-in for the browser built from <paramref name="html"/> (a page of
    /// <c>ConsolePage.Console</c>): every element with an id, hidden as the page has it and with its text when it holds
    /// text only, and the control forms with their inputs. After each of <paramref name="steps"/> it gives the elements by
    /// id (<c>text</c>, <c>hidden</c>, <c>invalid</c> (aria-invalid), <c>rows</c>: a table body's cells, each <c>tag</c>,
    /// <c>scope</c>, <c>text</c>), the <c>calls</c> the script made (<c>url</c>, <c>method</c>, <c>headers</c>,
    /// <c>body</c>) and the <c>questions</c> it asked. The stand-in parses no HTML: text set with <c>innerHTML</c> shows
    /// nowhere.
    /// </summary>
    public static async Task<JsonElement[]> RunAsync(string html, params JsonObject[] steps)
    {
        var node = Node ?? throw new InvalidOperationException("node is not installed");
        var elements = new JsonArray();
        foreach (Match tag in Tag().Matches(html))
        {
            var attributes = tag.Groups["attributes"].Value;
            if (Attribute(attributes, "id") is { } id && id != "wr-console-data")
            {
                elements.Add(new JsonObject
                {
                    ["id"] = id,
                    ["tag"] = tag.Groups["name"].Value,
                    ["hidden"] = HiddenAttribute().IsMatch(attributes),
                    ["text"] = System.Net.WebUtility.HtmlDecode(tag.Groups["text"].Value),
                });
            }
        }

        var forms = new JsonArray();
        foreach (Match form in ControlForm().Matches(html))
        {
            var inputs = new JsonArray();
            foreach (Match input in Input().Matches(form.Groups["body"].Value))
            {
                var attributes = input.Groups["attributes"].Value;
                inputs.Add(new JsonObject
                {
                    ["id"] = Attribute(attributes, "id"),
                    ["name"] = Attribute(attributes, "name"),
                    ["type"] = Attribute(attributes, "type"),
                    ["min"] = Attribute(attributes, "min"),
                    ["max"] = Attribute(attributes, "max"),
                    ["value"] = Attribute(attributes, "value"),
                });
            }

            forms.Add(new JsonObject
            {
                ["id"] = Attribute(form.Groups["attributes"].Value, "id"),
                ["control"] = Attribute(form.Groups["attributes"].Value, "data-control"),
                ["error"] = FormError().Match(form.Groups["body"].Value) is { Success: true } error ? error.Groups["id"].Value : null,
                ["inputs"] = inputs,
            });
        }

        var data = DataBlock().Match(html);
        Assert.True(data.Success, "no data block");
        var page = new JsonObject { ["data"] = data.Groups["json"].Value, ["elements"] = elements, ["forms"] = forms, ["steps"] = new JsonArray(steps) };
        var file = Path.Combine(Path.GetTempPath(), "console-run-" + Guid.NewGuid().ToString("N") + ".js");
        File.WriteAllText(file, Harness.Replace("__INPUT__", page.ToJsonString(), StringComparison.Ordinal).Replace("__SCRIPT__", Source(), StringComparison.Ordinal));
        try
        {
            using var run = Process.Start(new ProcessStartInfo(node, [file]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            try
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
                limit.CancelAfter(RunTimeout);
                var errors = run.StandardError.ReadToEndAsync(limit.Token);
                var output = await run.StandardOutput.ReadToEndAsync(limit.Token);
                await run.WaitForExitAsync(limit.Token);
                Assert.True(run.ExitCode == 0, await errors);
                using var results = JsonDocument.Parse(output);
                return [.. results.RootElement.EnumerateArray().Select(result => result.Clone())];
            }
            finally
            {
                if (!run.HasExited)
                {
                    run.Kill();
                }
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string? Attribute(string attributes, string name)
    {
        var match = Regex.Match(attributes, $@"\s{Regex.Escape(name)}=""(?<value>[^""]*)""");
        return match.Success ? System.Net.WebUtility.HtmlDecode(match.Groups["value"].Value) : null;
    }

    private const string Harness = """
        // A stand-in for the browser, enough for console.js: the page's elements by id (text, attributes, children, the control
        // forms with their inputs), an EventSource the steps push ticks through, fetch and confirm that answer as told and
        // record what they were asked. No layout, no HTML parsing: a value set with innerHTML would show nowhere.
        const input = __INPUT__;
        const calls = [];
        const questions = [];
        const tickListeners = [];

        class Node {
          constructor(tag, id) {
            this.tagName = String(tag).toUpperCase();
            this.id = id ?? '';
            this.attributes = new Map();
            this.children = [];
            this.text = '';
            this.dataset = {};
            this.className = '';
            this.inputs = [];
            this.elements = {};
            this.listeners = {};
          }

          get textContent() { return this.children.length > 0 ? this.children.map((child) => child.textContent).join('') : this.text; }
          set textContent(value) { this.children = []; this.text = String(value); }
          get classList() { return { add() {}, remove() {}, toggle() {} }; }
          setAttribute(name, value) { this.attributes.set(name, String(value)); }
          getAttribute(name) { return this.attributes.has(name) ? this.attributes.get(name) : null; }
          hasAttribute(name) { return this.attributes.has(name); }
          removeAttribute(name) { this.attributes.delete(name); }
          toggleAttribute(name, force) {
            const on = force === undefined ? !this.attributes.has(name) : Boolean(force);
            if (on) { this.attributes.set(name, ''); } else { this.attributes.delete(name); }
            return on;
          }
          append(...nodes) { this.text = ''; this.children.push(...nodes); }
          replaceChildren(...nodes) { this.text = ''; this.children = nodes; }
          addEventListener(name, listener) { (this.listeners[name] ??= []).push(listener); }
          contains() { return false; }
          focus() {}
          // The few selectors console.js asks a control form.
          querySelector(selector) { return this.querySelectorAll(selector)[0] ?? null; }
          querySelectorAll(selector) {
            const checked = /^input\[name="(\w+)"\]:checked$/.exec(selector);
            const named = /^input\[name="(\w+)"\]$/.exec(selector);
            if (selector === '.wr-form-error') { return this.error ? [this.error] : []; }
            if (selector === 'input:not([type="radio"])') { return this.inputs.filter((i) => i.type !== 'radio'); }
            if (selector === '[aria-invalid]') { return this.inputs.filter((i) => i.hasAttribute('aria-invalid')); }
            if (selector === '[aria-invalid="true"]') { return this.inputs.filter((i) => i.getAttribute('aria-invalid') === 'true'); }
            if (checked) { return this.inputs.filter((i) => i.name === checked[1] && i.checked); }
            if (named) { return this.inputs.filter((i) => i.name === named[1]); }
            return [];
          }
        }

        const byId = new Map();
        for (const element of input.elements) {
          const node = new Node(element.tag, element.id);
          if (element.hidden) { node.setAttribute('hidden', ''); }
          node.text = element.text;
          byId.set(element.id, node);
        }

        const forms = [];
        for (const form of input.forms) {
          const node = byId.get(form.id) ?? new Node('form', form.id);
          node.dataset.control = form.control;
          node.error = form.error ? byId.get(form.error) : null;
          for (const field of form.inputs) {
            const inputNode = (field.id && byId.get(field.id)) || new Node('input', field.id);
            Object.assign(inputNode, { name: field.name, type: field.type, min: field.min ?? '', max: field.max ?? '', value: field.value ?? '', checked: false, disabled: false });
            node.inputs.push(inputNode);
            node.elements[field.name] ??= inputNode;
          }

          forms.push(node);
        }

        const dataNode = new Node('script', 'wr-console-data');
        dataNode.text = input.data;
        byId.set('wr-console-data', dataNode);

        globalThis.window = globalThis;
        globalThis.HTMLElement = Node;
        globalThis.requestAnimationFrame = (callback) => { callback(); return 0; };
        globalThis.confirm = (message) => { questions.push(message); return true; };
        globalThis.document = {
          title: '',
          body: new Node('body'),
          activeElement: null,
          getElementById: (id) => byId.get(id) ?? null,
          createElement: (tag) => new Node(tag),
          createElementNS: (ns, tag) => new Node(tag),
          querySelectorAll: (selector) => (selector === 'form[data-control]' ? forms : []),
        };
        let answer = { status: 200, body: null };
        globalThis.fetch = async (url, init) => {
          calls.push({ url, method: init?.method ?? 'GET', headers: init?.headers ?? {}, body: init?.body === undefined ? null : JSON.parse(init.body) });
          const { status, body } = answer;
          return { status, ok: status >= 200 && status < 300, json: async () => body };
        };
        globalThis.EventSource = class {
          static CLOSED = 2;
          constructor(url) { this.url = url; this.readyState = 1; }
          addEventListener(name, listener) { if (name === 'tick') { tickListeners.push(listener); } }
          close() {}
        };

        __SCRIPT__

        (async () => {
          const settle = () => new Promise((resolve) => { setTimeout(resolve, 0); });
          const snapshot = () => {
            const elements = {};
            for (const [id, node] of byId) {
              if (id === 'wr-console-data') { continue; }
              elements[id] = {
                text: node.textContent,
                hidden: node.hasAttribute('hidden'),
                invalid: node.getAttribute('aria-invalid'),
                rows: node.children.filter((child) => child.tagName === 'TR').map((row) => row.children.map((cell) => ({ tag: cell.tagName.toLowerCase(), scope: cell.scope ?? null, text: cell.textContent }))),
              };
            }

            const taken = { elements, calls: calls.splice(0), questions: questions.splice(0) };
            return taken;
          };

          const results = [];
          for (const step of input.steps) {
            if (step.view !== undefined) {
              for (const listener of tickListeners) {
                listener({ data: JSON.stringify({ view: step.view, timeline: step.timeline, at: '2026-12-01T12:00:00Z' }) });
              }
            } else {
              const form = forms.find((candidate) => candidate.dataset.control === step.control);
              if (!form) { throw new Error('no form for ' + step.control); }
              for (const [name, value] of Object.entries(step.values ?? {})) { form.elements[name].value = value; }
              answer = step.answer ?? { status: 200, body: null };
              for (const listener of form.listeners.submit ?? []) {
                listener({ preventDefault() {}, submitter: null });
              }
            }

            await settle();
            results.push(snapshot());
          }

          process.stdout.write(JSON.stringify(results));
        })().catch((error) => { console.error(error); process.exitCode = 1; });
        """;

    [GeneratedRegex(@"\btext\.(?<key>[A-Za-z0-9_]+)")]
    private static partial Regex TextRead();

    [GeneratedRegex(@"(?:byId|setText)\('(?<id>wr-[^']+)'")]
    private static partial Regex IdRead();

    // A comment: a line that starts with //, or // after code and a space (not the // of a URL in a string).
    [GeneratedRegex(@"(?m)(?:^|\s)//\s.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"'(?<value>(?:[^'\\\n]|\\.)*)'")]
    private static partial Regex Literal();

    // A start tag, and when the element holds text only, that text and its end tag.
    [GeneratedRegex(@"<(?<name>[a-z][a-z0-9]*)(?<attributes>\s[^>]*)?>(?:(?<text>[^<]*)</\k<name>>)?")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\shidden(?=[\s>]|$)")]
    private static partial Regex HiddenAttribute();

    [GeneratedRegex(@"<form(?<attributes>\s[^>]*\sdata-control=""[^""]+""[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex ControlForm();

    [GeneratedRegex(@"<input(?<attributes>\s[^>]*)>")]
    private static partial Regex Input();

    [GeneratedRegex(@"<p id=""(?<id>[^""]+)"" class=""wr-form-error""")]
    private static partial Regex FormError();

    [GeneratedRegex(@"<script type=""application/json"" id=""wr-console-data"">(?<json>[^<]*)</script>")]
    private static partial Regex DataBlock();
}
