package docscmd

import (
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil"
	"github.com/flowsctl/flowsctl/internal/cli/cmdutil/cmdtest"
)

func nilFactory() *cmdutil.Factory { return cmdtest.Factory(cmdutil.GlobalFlags{}) }
