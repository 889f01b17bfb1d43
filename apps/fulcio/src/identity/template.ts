/**
 * The part of Go's text/template that Fulcio's ci-issuer-metadata uses, with
 * `missingkey=error`: text, `{{ .claim }}`, `{{ index . "claim/with.dots" }}`,
 * `{{ if eq .a "b" }}...{{ else if ... }}...{{ else }}...{{ end }}`, parentheses, the
 * functions eq, ne, not, and, or, index, trim markers and comments. Templates come from
 * the operator's configuration and are compiled once, at start-up, so a template this
 * subset cannot run is a configuration error, never a failed request.
 */

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

type Value = string | boolean | Readonly<Record<string, string>>;

type Expr =
  | { readonly kind: 'dot' }
  | { readonly kind: 'field'; readonly path: readonly string[] }
  | { readonly kind: 'literal'; readonly value: string | boolean }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[] };

type Node =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'output'; readonly expr: Expr }
  | { readonly kind: 'if'; readonly cond: Expr; readonly then: readonly Node[]; readonly otherwise: readonly Node[] };

const FUNCTIONS = new Set(['eq', 'ne', 'not', 'and', 'or', 'index']);

/** A compiled template: `execute` fills it from string data. */
export interface Template {
  readonly source: string;
  execute(data: Readonly<Record<string, string>>): string;
}

/** Fulcio's rule: a value with `{{` is a template, anything else names a claim (or default). */
export function compileValue(source: string): Template {
  if (!source.includes('{{')) {
    return {
      source,
      execute(data) {
        const value = data[source];
        if (value === undefined || !Object.hasOwn(data, source)) throw new TemplateError(`value <${source}> not present in either claims or defaults`);
        return value;
      },
    };
  }
  return compile(source);
}

export function compile(source: string): Template {
  const nodes = parse(tokenize(source));
  return { source, execute: (data) => run(nodes, data) };
}

type Token = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'action'; readonly body: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = source.slice(i, open === -1 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      if (text) tokens.push({ kind: 'text', text });
      break;
    }
    let bodyStart = open + 2;
    if (source.startsWith('- ', bodyStart) || source.startsWith('-\t', bodyStart) || source.startsWith('-\n', bodyStart)) {
      text = text.replace(/\s+$/, '');
      bodyStart += 1;
    }
    if (text) tokens.push({ kind: 'text', text });
    const close = findClose(source, bodyStart);
    let body = source.slice(bodyStart, close);
    trimNext = false;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    tokens.push({ kind: 'action', body: body.trim() });
    i = close + 2;
  }
  return tokens;
}

/** The `}}` closing an action, skipping quoted strings. */
function findClose(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === '`') {
      const end = c === '`' ? source.indexOf('`', i + 1) : closingQuote(source, i);
      if (end === -1) break;
      i = end;
    } else if (c === '}' && source[i + 1] === '}') {
      return i;
    }
  }
  throw new TemplateError('unclosed action');
}

function closingQuote(source: string, open: number): number {
  for (let i = open + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '"') return i;
  }
  return -1;
}

function parse(tokens: readonly Token[]): Node[] {
  let pos = 0;
  const block = (inIf: boolean): { nodes: Node[]; end: 'end' | 'else' | 'eof'; elseBody?: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const token = tokens[pos++] as Token;
      if (token.kind === 'text') {
        nodes.push(token);
        continue;
      }
      const body = token.body;
      if (body.startsWith('/*')) {
        if (!body.endsWith('*/')) throw new TemplateError('unclosed comment');
        continue;
      }
      const word = /^[a-z]+/.exec(body)?.[0];
      if (word === 'end' && body === 'end') {
        if (!inIf) throw new TemplateError('unexpected {{end}}');
        return { nodes, end: 'end' };
      }
      if (word === 'else') {
        if (!inIf) throw new TemplateError('unexpected {{else}}');
        return { nodes, end: 'else', elseBody: body.slice(4).trim() };
      }
      if (word === 'if' && /^if\s/.test(body)) {
        nodes.push(ifNode(parseExpr(body.slice(2))));
        continue;
      }
      if (word && ['range', 'with', 'define', 'template', 'block', 'break', 'continue'].includes(word) && !FUNCTIONS.has(word)) {
        throw new TemplateError(`{{${word}}} is not supported`);
      }
      nodes.push({ kind: 'output', expr: parseExpr(body) });
    }
    if (inIf) throw new TemplateError('missing {{end}}');
    return { nodes, end: 'eof' };
  };
  const ifNode = (cond: Expr): Node => {
    const then = block(true);
    let otherwise: Node[] = [];
    if (then.end === 'else') {
      if (then.elseBody && /^if\s/.test(then.elseBody)) {
        // {{else if X}} ... shares the outer {{end}}.
        otherwise = [ifNode(parseExpr(then.elseBody.slice(2)))];
      } else {
        if (then.elseBody) throw new TemplateError('unexpected words after {{else}}');
        const rest = block(true);
        if (rest.end !== 'end') throw new TemplateError('a second {{else}} in one {{if}}');
        otherwise = rest.nodes;
      }
    }
    return { kind: 'if', cond, then: then.nodes, otherwise };
  };
  const { nodes } = block(false);
  return nodes;
}

function parseExpr(text: string): Expr {
  const words = lex(text);
  let pos = 0;
  const operand = (): Expr => {
    const word = words[pos++];
    if (word === undefined) throw new TemplateError('missing operand');
    if (word === '(') {
      const inner = command(')');
      if (words[pos++] !== ')') throw new TemplateError('missing )');
      return inner;
    }
    if (word === '.') return { kind: 'dot' };
    if (/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(word)) return { kind: 'field', path: word.slice(1).split('.') };
    if (word.startsWith('"')) return { kind: 'literal', value: JSON.parse(word) as string };
    if (word.startsWith('`')) return { kind: 'literal', value: word.slice(1, -1) };
    if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
    throw new TemplateError(`unsupported operand ${word}`);
  };
  const command = (stop?: string): Expr => {
    const head = words[pos];
    if (head !== undefined && FUNCTIONS.has(head)) {
      pos++;
      const args: Expr[] = [];
      while (pos < words.length && words[pos] !== stop) args.push(operand());
      checkArity(head, args.length);
      return { kind: 'call', fn: head, args };
    }
    const expr = operand();
    if (pos < words.length && words[pos] !== stop) throw new TemplateError(`unexpected ${words[pos]}`);
    return expr;
  };
  const expr = command();
  if (pos !== words.length) throw new TemplateError(`unexpected ${words[pos]}`);
  return expr;
}

function checkArity(fn: string, n: number): void {
  const ok = fn === 'not' ? n === 1 : fn === 'index' ? n >= 1 : n >= 2;
  if (!ok) throw new TemplateError(`wrong number of arguments for ${fn}`);
}

function lex(text: string): string[] {
  const words: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|[()]|\|\S*|[^\s()]+)/y;
  let index = 0;
  while (index < text.length) {
    if (text.slice(index).trim() === '') break;
    re.lastIndex = index;
    const m = re.exec(text);
    if (!m) throw new TemplateError('cannot parse action');
    const word = m[1] as string;
    if (word.startsWith('|')) throw new TemplateError('pipelines are not supported');
    words.push(word);
    index = re.lastIndex;
  }
  return words;
}

function run(nodes: readonly Node[], data: Readonly<Record<string, string>>): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'output') out += print(evaluate(node.expr, data));
    else out += run(truthy(evaluate(node.cond, data)) ? node.then : node.otherwise, data);
  }
  return out;
}

function evaluate(expr: Expr, data: Readonly<Record<string, string>>): Value {
  switch (expr.kind) {
    case 'dot':
      return data;
    case 'literal':
      return expr.value;
    case 'field': {
      const [name, ...rest] = expr.path;
      if (rest.length > 0) throw new TemplateError(`.${expr.path.join('.')}: claims are strings`);
      if (name === undefined || !Object.hasOwn(data, name)) throw new TemplateError(`map has no entry for key "${name ?? ''}"`);
      return data[name] as string;
    }
    case 'call': {
      const args = expr.args.map((a) => evaluate(a, data));
      switch (expr.fn) {
        case 'eq':
          return args.slice(1).some((a) => a === args[0]);
        case 'ne':
          return args[0] !== args[1];
        case 'not':
          return !truthy(args[0] as Value);
        case 'and':
          return args.find((a) => !truthy(a)) ?? (args[args.length - 1] as Value);
        case 'or':
          return args.find((a) => truthy(a)) ?? (args[args.length - 1] as Value);
        default: {
          // index: a missing map key gives the zero value, as in Go.
          let value = args[0] as Value;
          for (const key of args.slice(1)) {
            if (typeof value !== 'object' || typeof key !== 'string') throw new TemplateError('index of a non-map');
            value = Object.hasOwn(value, key) ? (value[key] as string) : '';
          }
          return value;
        }
      }
    }
  }
}

function truthy(value: Value): boolean {
  return typeof value === 'object' ? Object.keys(value).length > 0 : Boolean(value);
}

function print(value: Value): string {
  if (typeof value === 'object') throw new TemplateError('cannot print the whole claim map');
  return String(value);
}
