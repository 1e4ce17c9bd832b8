/**
 * Runs a {@link GraphBuilder} graph on tfjs-node: the graph is written as a SavedModel into a
 * folder of its own under the system's temporary folder, loaded into a TensorFlow session through
 * tfjs-node's binding (the folder is removed once loaded), and run with tfjs tensors as feeds;
 * the fetched values come back as tfjs tensors. Feeds and fetches share their buffers with
 * TensorFlow, so a run copies no data.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { nodeBackend } from '../tensorflow-ops';
import type { Attr, GraphBuilder, GraphDtype, Output } from './graph-builder';
import { savedModelProto, type AttrValueMessage, type SavedModelProto, type TensorShapeMessage } from './saved-model-proto';

/** The SavedModel tag the graph is saved and loaded under. */
const TAG = 'serve';
/** The GraphDef version the nodes are written for (TensorFlow 2.21's producer version accepts it). */
const GRAPH_PRODUCER = 1205;
/** TensorFlow's DataType enum. */
const DATA_TYPE: Record<GraphDtype, number> = { float32: 1, int32: 3, bool: 10 };

function shapeProto(p: SavedModelProto, shape: number[]): TensorShapeMessage {
  return new p.TensorShape().setDimList(shape.map((size) => new p.TensorShape.Dim().setSize(size)));
}

function attrProto(p: SavedModelProto, attr: Attr): AttrValueMessage {
  const a = new p.AttrValue();
  if ('type' in attr) return a.setType(DATA_TYPE[attr.type]);
  if ('i' in attr) return a.setI(attr.i);
  if ('f' in attr) return a.setF(attr.f);
  if ('b' in attr) return a.setB(attr.b);
  if ('s' in attr) return a.setS(Buffer.from(attr.s));
  if ('ints' in attr) return a.setList(new p.AttrValue.ListValue().setIList(attr.ints));
  if ('shape' in attr) return a.setShape(shapeProto(p, attr.shape));
  const { dtype, shape, values } = attr.tensor;
  const tensor = new p.Tensor().setDtype(DATA_TYPE[dtype]).setTensorShape(shapeProto(p, shape));
  if (dtype === 'bool') return a.setTensor(tensor.setBoolValList(values.map(Boolean)));
  return a.setTensor(dtype === 'float32' ? tensor.setFloatValList(values) : tensor.setIntValList(values));
}

/** The graph as the bytes of a `saved_model.pb`. */
function savedModelBytes(graph: GraphBuilder): Uint8Array {
  const p = savedModelProto();
  const nodes = graph.nodes.map((spec) => {
    const node = new p.NodeDef().setName(spec.name).setOp(spec.op).setInputList(spec.inputs);
    const attrs = node.getAttrMap();
    for (const [name, attr] of Object.entries(spec.attrs)) attrs.set(name, attrProto(p, attr));
    return node;
  });
  const graphDef = new p.GraphDef().setNodeList(nodes).setVersions(new p.VersionDef().setProducer(GRAPH_PRODUCER));
  const metaGraph = new p.MetaGraphDef().setMetaInfoDef(new p.MetaGraphDef.MetaInfoDef().setTagsList([TAG])).setGraphDef(graphDef);
  return new p.SavedModel().setSavedModelSchemaVersion(1).setMetaGraphsList([metaGraph]).serializeBinary();
}

/** tfjs-node's SavedModel entry points (NodeJSKernelBackend). */
interface SavedModelBackend {
  loadSavedModelMetaGraph(path: string, tags: string): number;
  runSavedModel(id: number, inputs: tf.Tensor[], inputInfos: { name: string; tfDtype: string }[], outputs: string[]): tf.Tensor[];
  deleteSavedModel(id: number): void;
}

export class GraphSession {
  private id: number | undefined;
  private readonly backend: SavedModelBackend;

  /** Loads the graph into a new TensorFlow session; `dispose` frees it. */
  constructor(graph: GraphBuilder) {
    this.backend = nodeBackend() as unknown as SavedModelBackend;
    let dir: string | undefined;
    try {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bnn-graph-'));
      fs.writeFileSync(path.join(dir, 'saved_model.pb'), savedModelBytes(graph));
    } catch (err) {
      if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `Could not write a TensorFlow graph into a new folder in ${os.tmpdir()} (${(err as Error).message}); ` +
          'set TMPDIR to a writable folder with a few MB free.',
        { cause: err },
      );
    }
    try {
      this.id = this.backend.loadSavedModelMetaGraph(dir, TAG);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Runs the graph once: feeds the placeholders, returns new tensors for `fetches`, in order. */
  run(feeds: ReadonlyArray<readonly [Output, tf.Tensor]>, fetches: readonly Output[]): tf.Tensor[] {
    if (this.id === undefined) throw new Error('This graph session was disposed; build a new one.');
    const inputs = feeds.map(([, tensor]) => tensor);
    const infos = feeds.map(([name]) => ({ name, tfDtype: '' }));
    return this.backend.runSavedModel(this.id, inputs, infos, [...fetches]);
  }

  dispose(): void {
    if (this.id !== undefined) this.backend.deleteSavedModel(this.id);
    this.id = undefined;
  }
}
