export { createNativeEngine, runNative } from './engine.ts';
export { classifyError, classifyStatus, RequestTimeoutError } from './classify.ts';
