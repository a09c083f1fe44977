package mongo

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/mongo"
)

func TestDocID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		a, b       [2]string
		wantDiffer bool
	}{
		{"same", [2]string{"t", "x"}, [2]string{"t", "x"}, false},
		{"other tenant", [2]string{"t1", "x"}, [2]string{"t2", "x"}, true},
		{"shifted boundary", [2]string{"ab", "c"}, [2]string{"a", "bc"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			differ := docID(tc.a[0], tc.a[1]) != docID(tc.b[0], tc.b[1])
			assert.Equal(t, tc.wantDiffer, differ)
		})
	}
	assert.Equal(t, "camp\x00k1", docID("camp", "k1"))
}

func TestTimeHelpers(t *testing.T) {
	t.Parallel()
	for _, in := range []time.Time{
		{},
		time.Date(2026, 11, 28, 17, 0, 0, 123456789, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600)),
	} {
		got := fromNanos(nanos(in))
		assert.True(t, in.Equal(got), "%v != %v", in, got)
	}
	assert.Zero(t, nanos(time.Time{}))
}

func TestIsDuplicateKey(t *testing.T) {
	t.Parallel()
	dup := mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key"}}}
	assert.True(t, isDuplicateKey(dup))
	assert.True(t, isDuplicateKey(fmt.Errorf("insert: %w", dup)))
	assert.False(t, isDuplicateKey(mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 2}}}))
	assert.False(t, isDuplicateKey(errors.New("other")))
	assert.False(t, isDuplicateKey(nil))
}

func TestMajoritySupported(t *testing.T) {
	t.Parallel()
	network := errors.New("connection refused")
	tests := []struct {
		name    string
		probe   error
		want    bool
		wantErr bool
	}{
		{"found", nil, true, false},
		{"no documents", mongo.ErrNoDocuments, true, false},
		{"refused read concern", mongo.CommandError{Code: 72, Message: "readConcern not supported"}, false, false},
		{"network", network, false, true},
		{"network command error", mongo.CommandError{Code: 6, Labels: []string{"NetworkError"}}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := majoritySupported(tc.probe)
			assert.Equal(t, tc.want, got)
			if tc.wantErr {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}
