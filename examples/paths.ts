// Where the examples find the example kernel library (built by `npm install`
// or `npm run build:examples` into build/kernels/).
import * as path from 'path';

export const exampleKernels = path.resolve(__dirname, '..', 'build', 'kernels', 'libkernels.so');

// The C++ tasks of the tutorial ports 06-08 (examples/kernels/tutorial_kernels.cc).
export const tutorialKernels = path.resolve(__dirname, '..', 'build', 'kernels', 'libtutorial_kernels.so');
