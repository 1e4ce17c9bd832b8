/**
 * The protobuf messages of a SavedModel that graph-session.ts writes, typed: tfjs-node ships
 * them (google-protobuf classes generated from TensorFlow's .proto files) to read SavedModels.
 */

interface DimMessage {
  setSize(size: number): DimMessage;
}
export interface TensorShapeMessage {
  setDimList(dims: DimMessage[]): TensorShapeMessage;
}
interface ListValueMessage {
  setIList(values: number[]): ListValueMessage;
}
interface TensorMessage {
  setDtype(dtype: number): TensorMessage;
  setTensorShape(shape: TensorShapeMessage): TensorMessage;
  setFloatValList(values: number[]): TensorMessage;
  setIntValList(values: number[]): TensorMessage;
  setBoolValList(values: boolean[]): TensorMessage;
}
export interface AttrValueMessage {
  setType(dtype: number): AttrValueMessage;
  setI(value: number): AttrValueMessage;
  setF(value: number): AttrValueMessage;
  setB(value: boolean): AttrValueMessage;
  setS(value: Uint8Array): AttrValueMessage;
  setList(value: ListValueMessage): AttrValueMessage;
  setShape(value: TensorShapeMessage): AttrValueMessage;
  setTensor(value: TensorMessage): AttrValueMessage;
}
interface NodeDefMessage {
  setName(name: string): NodeDefMessage;
  setOp(op: string): NodeDefMessage;
  setInputList(inputs: string[]): NodeDefMessage;
  getAttrMap(): { set(key: string, value: AttrValueMessage): void };
}
interface VersionDefMessage {
  setProducer(version: number): VersionDefMessage;
}
interface GraphDefMessage {
  setNodeList(nodes: NodeDefMessage[]): GraphDefMessage;
  setVersions(versions: VersionDefMessage): GraphDefMessage;
}
interface MetaInfoDefMessage {
  setTagsList(tags: string[]): MetaInfoDefMessage;
}
interface MetaGraphDefMessage {
  setMetaInfoDef(info: MetaInfoDefMessage): MetaGraphDefMessage;
  setGraphDef(graph: GraphDefMessage): MetaGraphDefMessage;
}
interface SavedModelMessage {
  setSavedModelSchemaVersion(version: number): SavedModelMessage;
  setMetaGraphsList(graphs: MetaGraphDefMessage[]): SavedModelMessage;
  serializeBinary(): Uint8Array;
}

export interface SavedModelProto {
  TensorShape: (new () => TensorShapeMessage) & { Dim: new () => DimMessage };
  AttrValue: (new () => AttrValueMessage) & { ListValue: new () => ListValueMessage };
  Tensor: new () => TensorMessage;
  NodeDef: new () => NodeDefMessage;
  VersionDef: new () => VersionDefMessage;
  GraphDef: new () => GraphDefMessage;
  MetaGraphDef: (new () => MetaGraphDefMessage) & { MetaInfoDef: new () => MetaInfoDefMessage };
  SavedModel: new () => SavedModelMessage;
}

/** tfjs-node's message classes (loaded on demand: the package is there whenever its backend is). */
export function savedModelProto(): SavedModelProto {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@tensorflow/tfjs-node/dist/proto/api_pb') as SavedModelProto;
}
