package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Grad-CAM settings: none. The model defines the method, through the two methods its TorchScript
 * module exports ({@code activations} and {@code from_activations}), and the image's shape
 * ({@code model.input_shape}) where the maps are upsampled to.
 */
public record GradCamConfig() implements MethodConfig {

  public static final String ID = "grad_cam";

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
