"""The Python frontend: traces typed Python functions (torch.fx, TorchDynamo,
static analysis of loops) into fxn-dialect IR. Arrives with roadmap step 2."""
