/**
 * A TensorFlow graph written node by node (TensorFlow's own op names and attributes), for work
 * that tfjs would dispatch op by op: run as one session call, TensorFlow's executor runs
 * independent ops side by side and its graph passes choose the oneDNN kernels, with no per-op
 * trip through JavaScript. Serialised as a SavedModel and run by graph-session.ts.
 */

export type GraphDtype = 'float32' | 'int32' | 'bool';

/** One output of a node, as TensorFlow names it: `node:index`. */
export type Output = string;

/** An attribute value; exactly one field is set. */
export type Attr =
  | { type: GraphDtype }
  | { i: number }
  | { f: number }
  | { b: boolean }
  | { s: string }
  | { ints: number[] }
  | { shape: number[] }
  | { tensor: { dtype: GraphDtype; shape: number[]; values: number[] } };

export interface NodeSpec {
  name: string;
  op: string;
  inputs: Output[];
  attrs: Record<string, Attr>;
}

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  private readonly used = new Set<string>();

  /** Adds a node and returns its first `outputs` outputs. The name gets a numeric suffix when taken. */
  node(op: string, name: string, inputs: Output[], attrs: Record<string, Attr> = {}, outputs = 1): Output[] {
    const unique = this.add(op, name, inputs, attrs);
    return Array.from({ length: outputs }, (_, i) => `${unique}:${i}`);
  }

  /** A node with one output. */
  op(op: string, name: string, inputs: Output[], attrs: Record<string, Attr> = {}): Output {
    return this.node(op, name, inputs, attrs)[0];
  }

  /** A node with no outputs (an update), as the control input `^name` that orders the nodes reading its result after it. */
  action(op: string, name: string, inputs: Output[], attrs: Record<string, Attr> = {}): Output {
    return `^${this.add(op, name, inputs, attrs)}`;
  }

  /** A value fed on every run; `shape` may hold −1 for a size known only then. */
  placeholder(name: string, dtype: GraphDtype, shape: number[]): Output {
    return this.op('Placeholder', name, [], { dtype: { type: dtype }, shape: { shape } });
  }

  /** A constant of `shape` (a scalar for []) holding `values` (one value is repeated over the shape). */
  constant(name: string, dtype: GraphDtype, values: number | readonly number[], shape: number[] = []): Output {
    const list = typeof values === 'number' ? [values] : [...values];
    return this.op('Const', name, [], { dtype: { type: dtype }, value: { tensor: { dtype, shape, values: list } } });
  }

  private add(op: string, name: string, inputs: Output[], attrs: Record<string, Attr>): string {
    let unique = name;
    for (let i = 1; this.used.has(unique); i++) unique = `${name}_${i}`;
    this.used.add(unique);
    this.nodes.push({ name: unique, op, inputs, attrs });
    return unique;
  }
}
