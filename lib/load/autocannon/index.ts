export { createAutocannonEngine, runAutocannon, mixCycle, type AutocannonEngineOptions } from './engine.ts';
